#!/usr/bin/env bash
# Builds the test binaries and the GPU benchmark on an x86-64 development machine and copies
# them, stripped, into the git-ignored folder gpu-bin/ together with scripts/gpu-check.sh, for a
# GPU machine that has no Rust toolchain and no network:
#   scripts/build-gpu-bin.sh            # the CUDA tests and the library's unit tests
#   SPYKER_GPU_BIN_ALL=1 scripts/build-gpu-bin.sh   # every test binary
#   SPYKER_GPU_BIN_NO_BENCH=1 scripts/build-gpu-bin.sh   # skip the (slow) release bench build
# gpu-bin/bench/ gets the release example gpu_bench (Rezghi forward pass, digits embedded), the
# PyTorch twin scripts/bench/torch_rezghi.py and the test digits it reads (bench/data/).
# tests/ and bench/ are shipped as gpu-bin/payload.tgz, which gpu-check.sh unpacks. Then copy
# gpu-bin/ to the GPU machine and run gpu-bin/gpu-check.sh there. Keeps the folder under 64 MiB
# (fails otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
out="gpu-bin"
rm -rf "$out"
mkdir -p "$out/tests" "$out/bench"

echo "building test binaries"
if [[ "${SPYKER_GPU_BIN_ALL:-0}" == "0" ]]; then
    # Only what gets copied: a broken unrelated test file must not stop the GPU build.
    sel=(--lib --test 'cuda*')
else
    sel=()
fi
if ! cargo test --no-run ${sel[@]+"${sel[@]}"} --message-format=json >target/gpu-bin-build.json; then
    # The compiler's messages went to the JSON file: show the errors.
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    msg = m.get("message") or {}
    if m.get("reason") == "compiler-message" and msg.get("level") == "error":
        print(msg.get("rendered", ""))' target/gpu-bin-build.json | head -60 >&2
    echo "error: building the test binaries failed" >&2
    exit 1
fi
python3 - "$out" "${SPYKER_GPU_BIN_ALL:-0}" <<'PY'
import json, os, shutil, sys
out, everything = sys.argv[1], sys.argv[2] not in ("", "0")
seen = set()
for line in open("target/gpu-bin-build.json"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    if not m.get("profile", {}).get("test"):
        continue
    t = m["target"]
    name = t["name"]
    kinds = t["kind"]
    if "lib" in kinds or "cdylib" in kinds or "rlib" in kinds or "staticlib" in kinds:
        name = "lib"
    elif not everything and not name.startswith("cuda"):
        continue
    if name in seen:
        continue
    seen.add(name)
    shutil.copy2(m["executable"], os.path.join(out, "tests", name))
    print("  tests/" + name)
PY

# Only the benchmark example: the training examples need the source tree and take minutes.
if [[ "${SPYKER_GPU_BIN_NO_BENCH:-0}" == "0" ]]; then
    echo "building the GPU benchmark (release example gpu_bench)"
    cargo build --release --example gpu_bench
    cp target/release/examples/gpu_bench "$out/bench/gpu_bench"
    cp scripts/bench/torch_rezghi.py "$out/bench/torch_rezghi.py"
    mkdir -p "$out/bench/data"
    cp data/mnist10k/t10k-images-idx3-ubyte.gz "$out/bench/data/"
    strip --strip-debug "$out/bench/gpu_bench" 2>/dev/null || true
fi

for f in "$out"/tests/*; do strip --strip-debug "$f" 2>/dev/null || true; done
unpacked=$(du -sm "$out" | cut -f1)
echo "binaries: ${unpacked} MiB unpacked"
ls -la "$out/tests" "$out/bench"
# Every test binary links the whole library, so the folder outgrew 64 MiB (106 MiB with 13 CUDA
# test binaries): ship them gzip-compressed (about a fifth); gpu-check.sh unpacks them.
tar -czf "$out/payload.tgz" -C "$out" tests bench
rm -rf "$out/tests" "$out/bench"
cp scripts/gpu-check.sh "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
{
    echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
    echo "rustc: $(rustc --version)"
} >"$out/MANIFEST"
size=$(du -sm "$out" | cut -f1)
echo "gpu-bin: ${size} MiB"
ls -la "$out"
if (( size >= 64 )); then
    echo "error: gpu-bin is ${size} MiB, over the 64 MiB limit" >&2
    exit 1
fi
