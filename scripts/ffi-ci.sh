#!/usr/bin/env bash
# CI for the C ABI, the C++ API (cxx bridge) and the CMake integration. Installs nothing: it expects
# cargo, cmake (>= 3.16), gcc/g++, pkg-config, valgrind, python3 and cbindgen 0.29.4 on PATH, and
# the cargo dependencies in cargo's cache (cargo fetch / an earlier cargo build): cargo runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SPYKER_FFI_BUILD_DIR:-build/ffi-ci}
profile=${SPYKER_CARGO_PROFILE:-release}
start=$(date +%s)
step() { echo; echo "=== ffi: $* ($(( $(date +%s) - start ))s)"; }

step "cargo dependencies in cargo's cache (those of the feature cxx too; network only if missing)"
cargo fetch --locked --offline 2>/dev/null || cargo fetch --locked

step "header is fresh and compiles as C99 / C++17 (spyker.hpp: after the build)"
SPYKER_BRIDGE_INCLUDE= scripts/check-header.sh

step "cmake configure ($profile)"
cmake -S . -B "$build" -DSPYKER_CARGO_PROFILE="$profile" -DCMAKE_BUILD_TYPE=Release

step "cmake build (cargo --offline: C ABI, then the static library with the cxx bridge; examples, tests)"
cmake --build "$build" --parallel "${CARGO_BUILD_JOBS:-2}"

step "spyker.hpp over the freshly generated bridge header compiles as C++17 (-pedantic)"
SPYKER_BRIDGE_INCLUDE="$build/bridge/include" scripts/check-header.sh

step "exported symbols"
scripts/check-exports.sh "$build/lib/libspyker.so"

step "install"
cmake --install "$build" --prefix "$build/prefix"

step "ctest (C and C++ examples, invalid calls, valgrind, ctypes, find_package consumer)"
ctest --test-dir "$build" --output-on-failure

step "done in $(( $(date +%s) - start ))s"
