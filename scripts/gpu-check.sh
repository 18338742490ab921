#!/usr/bin/env bash
# Runs the prebuilt CUDA test suite and the GPU benchmark on a GPU machine without Rust or
# network, then prints a summary. Usage, after scripts/build-gpu-bin.sh on a development machine
# and copying gpu-bin/ over:
#   gpu-bin/gpu-check.sh [BIN_DIR]        (BIN_DIR defaults to the folder of this script, or
#                                          ./gpu-bin when run from the repository)
# It finds libnvrtc itself: $SPYKER_NVRTC_PATH if set, else the CUDA toolkit (/usr/local/cuda*,
# $CUDA_HOME), else NVIDIA wheels in Python's site-packages (e.g. PyTorch's), else the loader
# cache; and it sets SPYKER_NVRTC_PATH and LD_LIBRARY_PATH accordingly. Logs go to
# $SPYKER_GPU_LOGS (default BIN_DIR/logs).
# Benchmark (issue 8): bench/gpu_bench (Rezghi forward, batch 256, T = 15, with a CPU/CUDA check
# of the first batch) and bench/torch_rezghi.py (the same chain in PyTorch, same kernels through
# logs/rezghi-dump; PyTorch defaults incl. TF32, then strict f32), images/s and the ratio in the
# summary. Settings: SPYKER_BENCH_ITERS (20), SPYKER_BENCH_TIMEOUT (s per run, 300),
# SPYKER_PYTHON (python3), SPYKER_GPU_SKIP_TESTS=1 / SPYKER_GPU_SKIP_BENCH=1 (run one part only).
# Exit status: 0 when every test binary passed; the benchmark's outcome is reported in the
# summary (the "benchmark:" lines) and never changes the exit status.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-}"
if [[ -z "$bin" ]]; then
    if [[ -d "$here/tests" || -f "$here/payload.tgz" ]]; then bin="$here"; else bin="$here/../gpu-bin"; fi
fi
bin="$(cd "$bin" && pwd)" || { echo "no binary folder $bin" >&2; exit 2; }
logs="${SPYKER_GPU_LOGS:-$bin/logs}"
# build-gpu-bin.sh ships tests/ and bench/ compressed (the folder must stay under 64 MiB).
if [[ -f "$bin/payload.tgz" ]]; then
    rm -rf "$bin/tests" "$bin/bench"
    tar -xzf "$bin/payload.tgz" -C "$bin" || { echo "cannot unpack $bin/payload.tgz" >&2; exit 2; }
fi
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
declare -a rows=()
failed=0
for t in "$bin"/tests/*; do
    [[ "${SPYKER_GPU_SKIP_TESTS:-0}" == "0" ]] || break
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
# The JSON line of a benchmark log (the last line starting with {"bench":) and one field of it.
json_line() { grep -E '^\{"bench"' "$1" 2>/dev/null | tail -1; }
json_field() { sed -nE 's/.*"'"$2"'": *"?([^",}]*)"?.*/\1/p' <<<"$1"; }
declare -a bench_rows=()
bench_run() { # name, log, command...
    local name=$1 log=$2; shift 2
    echo "-- $name: $*"
    timeout "${SPYKER_BENCH_TIMEOUT:-300}" "$@" >"$log" 2>&1
    local rc=$?
    cat "$log"
    local j status ips
    j=$(json_line "$log")
    status=$(json_field "$j" status)
    ips=$(json_field "$j" images_per_s)
    if (( rc == 124 )); then status="TIMEOUT"; elif [[ -z "$status" ]]; then status="FAIL (rc $rc, no JSON line)"; fi
    [[ "$status" == "error" ]] && status="FAIL: $(json_field "$j" error | cut -c1-160)"
    bench_rows+=("$(printf '%-22s %12s images/s  %s' "$name" "${ips:--}" "$status")")
    printf -v "ips_${name//[^a-zA-Z0-9]/_}" '%s' "$ips"
}
py="${SPYKER_PYTHON:-python3}"
export PYTHONUNBUFFERED=1  # keep the log of a run that the timeout ends
iters="${SPYKER_BENCH_ITERS:-20}"
dump="$logs/rezghi-dump"
if [[ "${SPYKER_GPU_SKIP_BENCH:-0}" != "0" ]]; then
    echo "(skipped: SPYKER_GPU_SKIP_BENCH)"
elif [[ ! -x "$bin/bench/gpu_bench" ]]; then
    echo "(no bench/gpu_bench in $bin: built with SPYKER_GPU_BIN_NO_BENCH?)"
else
    rm -rf "$dump"
    bench_run spyker "$logs/gpu_bench.log" "$bin/bench/gpu_bench" --device cuda --batch 256 --time 15 \
        --iters "$iters" --warmup 3 --dump "$dump"
    grep -E '^check result' "$logs/gpu_bench.log" | sed 's/^/    /' >"$logs/gpu_bench.check" || true
    if [[ -f "$bin/bench/torch_rezghi.py" ]] && command -v "$py" >/dev/null; then
        wargs=()
        [[ -f "$dump/meta.json" ]] && wargs=(--weights "$dump")
        bench_run pytorch "$logs/torch_rezghi.log" "$py" "$bin/bench/torch_rezghi.py" --device cuda \
            --batch 256 --time 15 --iters "$iters" --warmup 3 --data "$bin/bench/data" ${wargs[@]+"${wargs[@]}"}
        bench_run pytorch-f32 "$logs/torch_rezghi_f32.log" "$py" "$bin/bench/torch_rezghi.py" --device cuda \
            --batch 256 --time 15 --iters "$iters" --warmup 3 --data "$bin/bench/data" --no-tf32 ${wargs[@]+"${wargs[@]}"}
    else
        bench_rows+=("pytorch                           -  skipped ($py or bench/torch_rezghi.py missing)")
    fi
fi

echo "== summary"
(( ${#rows[@]} > 0 )) && printf '%s\n' "${rows[@]}"
if (( ${#bench_rows[@]} > 0 )); then
    echo "benchmark: Rezghi forward, batch 256, T = 15 (target >= 20000 images/s and >= 3x PyTorch)"
    printf '  %s\n' "${bench_rows[@]}"
    [[ -s "$logs/gpu_bench.check" ]] && cat "$logs/gpu_bench.check"
    for ref in pytorch pytorch_f32; do
        r=ips_$ref
        if [[ -n "${ips_spyker:-}" && -n "${!r:-}" ]]; then
            awk -v a="$ips_spyker" -v b="${!r}" -v n="$ref" 'BEGIN {
                if (b + 0 > 0) printf "  ratio spyker / %s: %.2fx%s\n", n, a / b, (a >= 20000 && a / b >= 3) ? "  (target met)" : "  (target NOT met)" }'
        fi
    done
    for v in torch_rezghi:pytorch torch_rezghi_f32:pytorch-f32; do
        grep -h '^check against' "$logs/${v%%:*}.log" 2>/dev/null | sed "s/^/  ${v#*:} /" || true
    done
fi
echo "logs: $logs"
if (( failed > 0 )); then echo "RESULT: $failed test binaries FAILED"; exit 1; fi
if [[ "${SPYKER_GPU_SKIP_TESTS:-0}" != "0" ]]; then echo "RESULT: tests skipped (SPYKER_GPU_SKIP_TESTS)"; exit 0; fi
echo "RESULT: all test binaries passed"
