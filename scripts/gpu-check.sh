#!/usr/bin/env bash
# Runs the prebuilt CUDA test suite (and GPU benchmarks, once there are any) on a GPU machine
# without Rust or network, then prints a summary. Usage, after scripts/build-gpu-bin.sh on a
# development machine and copying gpu-bin/ over:
#   gpu-bin/gpu-check.sh [BIN_DIR]        (BIN_DIR defaults to the folder of this script, or
#                                          ./gpu-bin when run from the repository)
# It finds libnvrtc itself: $SPYKER_NVRTC_PATH if set, else the CUDA toolkit (/usr/local/cuda*,
# $CUDA_HOME), else NVIDIA wheels in Python's site-packages (e.g. PyTorch's), else the loader
# cache; and it sets SPYKER_NVRTC_PATH and LD_LIBRARY_PATH accordingly. Logs go to
# $SPYKER_GPU_LOGS (default BIN_DIR/logs). Exit status: 0 when every binary passed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-}"
if [[ -z "$bin" ]]; then
    if [[ -d "$here/tests" ]]; then bin="$here"; else bin="$here/../gpu-bin"; fi
fi
bin="$(cd "$bin" && pwd)" || { echo "no binary folder $bin" >&2; exit 2; }
logs="${SPYKER_GPU_LOGS:-$bin/logs}"
mkdir -p "$logs"
[[ -f "$bin/MANIFEST" ]] && cat "$bin/MANIFEST"

echo "== GPU"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
    echo "nvidia-smi not found"
fi

echo "== NVRTC"
find_nvrtc() {
    if [[ -n "${SPYKER_NVRTC_PATH:-}" ]]; then echo "$SPYKER_NVRTC_PATH"; return; fi
    local d
    for d in ${CUDA_HOME:+$CUDA_HOME/lib64 $CUDA_HOME/lib} /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
             $(ls -d /usr/local/cuda-13*/lib64 /usr/local/cuda-12*/lib64 2>/dev/null | sort -rV); do
        if ls "$d"/libnvrtc.so.1[23]* >/dev/null 2>&1 || [[ -f "$d/libnvrtc.so" ]]; then echo "$d"; return; fi
    done
    if command -v python3 >/dev/null; then
        for d in $(python3 -c 'import site,sys; print(" ".join(site.getsitepackages()+[site.getusersitepackages()]))' 2>/dev/null); do
            for sub in nvidia/cu13/lib nvidia/cuda_nvrtc/lib; do
                if ls "$d/$sub"/libnvrtc.so.* >/dev/null 2>&1; then echo "$d/$sub"; return; fi
            done
        done
    fi
    d=$(ldconfig -p 2>/dev/null | awk '/libnvrtc\.so/ {print $NF; exit}')
    [[ -n "$d" ]] && dirname "$d"
}
nvrtc_dir="$(find_nvrtc)"
if [[ -n "$nvrtc_dir" ]]; then
    [[ -d "$nvrtc_dir" ]] || nvrtc_dir="$(dirname "$nvrtc_dir")"
    export SPYKER_NVRTC_PATH="$nvrtc_dir"
    export LD_LIBRARY_PATH="$nvrtc_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "libnvrtc: $nvrtc_dir ($(ls "$nvrtc_dir" | grep -E '^libnvrtc\.so' | tr '\n' ' '))"
else
    echo "libnvrtc: NOT FOUND (kernels cannot be compiled; CUDA tests will fail)"
fi
inc="${SPYKER_CUDA_INCLUDE:-}"
[[ -z "$inc" && -n "$nvrtc_dir" && -f "$nvrtc_dir/../include/cuda_fp16.h" ]] && inc="$nvrtc_dir/../include"
[[ -n "$inc" ]] && export SPYKER_CUDA_INCLUDE="$inc"
export SPYKER_REQUIRE_NVRTC=1

echo "== tests"
declare -a rows
failed=0
for t in "$bin"/tests/*; do
    [[ -x "$t" ]] || continue
    name=$(basename "$t")
    start=$(date +%s.%N)
    "$t" --test-threads=1 --nocapture >"$logs/$name.log" 2>&1
    rc=$?
    secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc 2>/dev/null || echo 0)")
    passed=$(grep -Eo '[0-9]+ passed' "$logs/$name.log" | awk '{s+=$1} END {print s+0}')
    nfail=$(grep -Eo '[0-9]+ failed' "$logs/$name.log" | awk '{s+=$1} END {print s+0}')
    skips=$(grep -c "SKIP" "$logs/$name.log")
    status=ok
    if (( rc != 0 )); then status=FAIL; failed=$((failed + 1)); fi
    rows+=("$(printf '%-28s %-5s %6s passed %4s failed %4s skipped %7ss' "$name" "$status" "$passed" "$nfail" "$skips" "$secs")")
    if (( rc != 0 )); then grep -E '^test .* FAILED|panicked at' "$logs/$name.log" | head -20 | sed 's/^/    /'; fi
done

echo "== benchmarks"
shopt -s nullglob
for b in "$bin"/bench/*; do
    name=$(basename "$b")
    case "$name" in
        *.py) command -v python3 >/dev/null && python3 "$b" 2>&1 | tee "$logs/$name.log" ;;
        *) [[ -x "$b" ]] && "$b" 2>&1 | tee "$logs/$name.log" ;;
    esac
done
[[ -n "$(ls "$bin"/bench 2>/dev/null)" ]] || echo "(no benchmark binaries in $bin/bench)"

echo "== summary"
printf '%s\n' "${rows[@]}"
echo "logs: $logs"
if (( failed > 0 )); then echo "RESULT: $failed test binaries FAILED"; exit 1; fi
echo "RESULT: all test binaries passed"
