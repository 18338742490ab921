#!/usr/bin/env bash
# Compiles every CUDA kernel (kernels/*.cu) through NVRTC on a machine without a GPU, and fails on
# any compile error. Installs NVIDIA's NVRTC and runtime-header wheels pinned to CUDA 13.0.x
# (the GPU machines run a CUDA 13.0 driver, which cannot load code from a newer NVRTC) into a
# cache folder and points the library at them:
#   SPYKER_NVRTC_PATH   folder of libnvrtc.so.13 (the library opens it and its builtins by path)
#   SPYKER_CUDA_INCLUDE folder of cuda_fp16.h etc. (passed to NVRTC as --include-path)
#   SPYKER_REQUIRE_NVRTC=1 makes the test fail instead of skipping when NVRTC cannot be loaded.
# Environment: SPYKER_NVRTC_PREFIX (install folder, default target/nvrtc-cu13),
#              SPYKER_NVRTC_ARCHS (comma-separated sm numbers, default 90), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${SPYKER_NVRTC_PREFIX:-$PWD/target/nvrtc-cu13}"
python="${PYTHON:-python3}"
nvrtc_pin="nvidia-cuda-nvrtc==13.0.*"
runtime_pin="nvidia-cuda-runtime==13.0.*"
lib="$prefix/nvidia/cu13/lib"
inc="$prefix/nvidia/cu13/include"

if [[ ! -f "$lib/libnvrtc.so.13" || ! -f "$inc/cuda_fp16.h" ]]; then
    echo "installing $nvrtc_pin and $runtime_pin into $prefix"
    rm -rf "$prefix"
    "$python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
        --target "$prefix" "$nvrtc_pin" "$runtime_pin"
fi
[[ -f "$lib/libnvrtc.so.13" ]] || { echo "error: $lib/libnvrtc.so.13 missing after install" >&2; exit 1; }
ls "$lib"/libnvrtc-builtins.so.13.* >/dev/null 2>&1 || { echo "error: libnvrtc-builtins missing in $lib" >&2; exit 1; }
"$python" -m pip list --path "$prefix" 2>/dev/null | grep -i nvidia || true

export SPYKER_NVRTC_PATH="$lib"
export SPYKER_CUDA_INCLUDE="$inc"
export SPYKER_REQUIRE_NVRTC=1
export SPYKER_NVRTC_ARCHS="${SPYKER_NVRTC_ARCHS:-90}"
cargo test --test cuda_nvrtc -- --nocapture --test-threads=1
