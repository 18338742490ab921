#!/usr/bin/env bash
# Checks that the shared library exports only spk_* symbols (plus nothing else of its own), that
# every function declared in include/spyker.h is exported, and that the SONAME carries the ABI
# version. Usage: scripts/check-exports.sh [path/to/libspyker.so] (default target/release).
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:-target/release/libspyker.so}
[[ -f "$lib" ]] || { echo "check-exports: $lib not found (cargo build --release)" >&2; exit 2; }
status=0
# Defined (not U), dynamic, global symbols.
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sed 's/@.*//' | sort -u)
bad=$(grep -v '^spk_' <<<"$exported" || true)
if [[ -n "$bad" ]]; then
    echo "check-exports: symbols other than spk_* exported from $lib:" >&2
    echo "$bad" | sed 's/^/  /' >&2
    status=1
fi
declared=$(grep -oE '\bspk_[a-z0-9_]+\(' include/spyker.h | tr -d '(' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -n "$missing" ]]; then
    echo "check-exports: declared in include/spyker.h but not exported:" >&2
    echo "$missing" | sed 's/^/  /' >&2
    status=1
fi
abi=$(sed -n 's/^pub const SPK_ABI_VERSION: u32 = \([0-9]*\);/\1/p' src/ffi/mod.rs)
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
if [[ "$soname" != "libspyker.so.$abi" ]]; then
    echo "check-exports: expected SONAME libspyker.so.$abi, got '${soname}'" >&2
    status=1
fi
if [[ $status == 0 ]]; then
    echo "check-exports: $(wc -l <<<"$exported") symbols, all spk_*; all header functions exported; SONAME $soname"
fi
exit $status
