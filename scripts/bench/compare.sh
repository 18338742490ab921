#!/usr/bin/env bash
# Runs this library's bench binary (benches/compare.rs) and the original spyker==0.1.0
# (scripts/bench/original.py) on the same machine, threads, batch and inputs (the first BATCH
# bundled digits, T = 15), one after the other, and prints a ratio table.
#
#   scripts/bench/compare.sh [--threads N] [--batch B] [--reps R] [--only a,b]
#
# Writes target/bench-compare/{rust,original,compare}.json and compare.md.
# Python: $SPYKER_REF_VENV (default /work/venv-oracle, else .venv-ref) with spyker==0.1.0.
set -euo pipefail
cd "$(dirname "$0")/../.."
THREADS=2 BATCH=64 REPS=3 ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
VENV=${SPYKER_REF_VENV:-/work/venv-oracle}
[ -x "$VENV/bin/python" ] || VENV=.venv-ref
PY="$VENV/bin/python"
OUT=target/bench-compare
mkdir -p "$OUT"
cargo build --release --bench compare --quiet
BIN=$(ls -t target/release/deps/compare-* | grep -v '\.d$' | head -1)
# Both libraries get the same thread count; OpenMP/MKL/oneDNN inside the original read these.
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS RAYON_NUM_THREADS=$THREADS
"$BIN" --threads "$THREADS" --batch "$BATCH" --reps "$REPS" --only "$ONLY" > "$OUT/rust.json"
"$PY" scripts/bench/original.py --threads "$THREADS" --batch "$BATCH" --reps "$REPS" --only "$ONLY" > "$OUT/original.json"
"$PY" scripts/bench/table.py "$OUT/original.json" "$OUT/rust.json" "$OUT/compare.json" "$OUT/compare.md"
cat "$OUT/compare.md"
