#!/usr/bin/env bash
# Checks that include/spyker.h is what cbindgen generates from the code now, and that it compiles
# warning-free as C99 and C++17. `--update` rewrites the committed header instead of checking.
# Needs cbindgen 0.29.4 (`cargo install cbindgen --locked --version 0.29.4`), gcc and g++.
set -euo pipefail
cd "$(dirname "$0")/.."
header=include/spyker.h
want_version="0.29.4"
if ! command -v cbindgen >/dev/null; then
    echo "check-header: cbindgen not found (cargo install cbindgen --locked --version $want_version)" >&2
    exit 2
fi
have_version=$(cbindgen --version | awk '{print $2}')
if [[ "$have_version" != "$want_version" ]]; then
    echo "check-header: warning: cbindgen $have_version, the header is generated with $want_version" >&2
fi
fresh=$(mktemp)
trap 'rm -f "$fresh" "$fresh".*' EXIT
cbindgen --quiet --config cbindgen.toml --crate spyker --output "$fresh"
if [[ "${1:-}" == "--update" ]]; then
    cp "$fresh" "$header"
    echo "check-header: $header updated"
elif ! diff -u "$header" "$fresh"; then
    echo "check-header: $header is stale; run scripts/check-header.sh --update and commit it" >&2
    exit 1
fi
printf '#include <spyker.h>\nint main(void) { return spk_abi_version() == SPK_ABI_VERSION ? 0 : 1; }\n' > "$fresh.c"
gcc -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude -fsyntax-only "$fresh.c"
cp "$fresh.c" "$fresh.cpp"
g++ -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -Icpp/include -fsyntax-only "$fresh.cpp"
# spyker.hpp includes the header cxx generates for the bridge: checked when one has been built
# (SPYKER_BRIDGE_INCLUDE, default: cargo's release output of `--features cxx`; empty: skip).
bridge=${SPYKER_BRIDGE_INCLUDE-target/release/cxxbridge/include}
if [[ -f "$bridge/spyker/bridge.rs.h" ]]; then
    printf '#include <spyker/spyker.hpp>\nint main() { return spyker::Tensor() ? 1 : 0; }\n' > "$fresh.cpp"
    g++ -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -Icpp/include -I"$bridge" -fsyntax-only "$fresh.cpp"
    echo "check-header: $header is fresh and compiles as C99 and C++17 (with spyker.hpp over $bridge)"
else
    echo "check-header: $header is fresh and compiles as C99 and C++17 (spyker.hpp not checked: no bridge header in $bridge)"
fi
