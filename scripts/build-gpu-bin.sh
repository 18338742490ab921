#!/usr/bin/env bash
# Builds the test binaries (and release examples, once there are any) on an x86-64 development
# machine and copies them, stripped, into the git-ignored folder gpu-bin/ together with
# scripts/gpu-check.sh, for a GPU machine that has no Rust toolchain and no network:
#   scripts/build-gpu-bin.sh            # the CUDA tests and the library's unit tests
#   SPYKER_GPU_BIN_ALL=1 scripts/build-gpu-bin.sh   # every test binary
# Then copy gpu-bin/ to the GPU machine and run gpu-bin/gpu-check.sh there. Keeps the folder
# under 64 MiB (fails otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
out="gpu-bin"
rm -rf "$out"
mkdir -p "$out/tests" "$out/bench"

echo "building test binaries"
cargo test --no-run --message-format=json >target/gpu-bin-build.json
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

if ls examples/*.rs >/dev/null 2>&1; then
    echo "building release examples"
    cargo build --release --examples
    for f in examples/*.rs; do
        n=$(basename "$f" .rs)
        [[ -x "target/release/examples/$n" ]] && cp "target/release/examples/$n" "$out/bench/$n"
    done
fi
for f in scripts/bench/*_torch.py; do [[ -f "$f" ]] && cp "$f" "$out/bench/"; done

strip --strip-debug "$out"/tests/* "$out"/bench/* 2>/dev/null || true
cp scripts/gpu-check.sh "$out/gpu-check.sh"
chmod +x "$out/gpu-check.sh"
{
    echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
    echo "rustc: $(rustc --version)"
} >"$out/MANIFEST"
size=$(du -sm "$out" | cut -f1)
echo "gpu-bin: ${size} MiB"
ls -la "$out/tests"
if (( size >= 64 )); then
    echo "error: gpu-bin is ${size} MiB, over the 64 MiB limit" >&2
    exit 1
fi
