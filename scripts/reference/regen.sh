#!/usr/bin/env bash
# Regenerates the golden vectors in tests/reference/ from the original Spyker (spyker==0.1.0 from
# PyPI), single-threaded. Usage: scripts/reference/regen.sh [family ...]   (default: all gen_*.py)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${SPYKER_REF_VENV:-$root/.venv-ref}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$venv/bin/python" "$here/generate.py" "$@"
