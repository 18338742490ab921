#!/usr/bin/env python3
"""Writes the golden vectors of tests/reference/ by running the original Spyker.

Each module gen_<family>.py beside this file defines `generate() -> dict[str, numpy.ndarray]`; its
arrays are written to tests/reference/<family>.npz. Keys are `<case>__<field>`; scalar parameters
are stored as 1-element arrays. Run through regen.sh (it pins spyker==0.1.0 and one thread).
"""
import importlib
import os
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parent.parent / "tests" / "reference"
LIMIT = 10 * 1024 * 1024


def main(argv):
    if os.environ.get("OMP_NUM_THREADS") != "1":
        sys.exit("run with OMP_NUM_THREADS=1 (use scripts/reference/regen.sh)")
    import spyker

    v = spyker.version.spyker
    if (v.major, v.minor, v.patch) != (0, 1, 0):
        sys.exit(f"expected spyker 0.1.0, found {v.major}.{v.minor}.{v.patch}")
    sys.path.insert(0, str(HERE))
    families = argv or sorted(p.stem[4:] for p in HERE.glob("gen_*.py"))
    OUT.mkdir(parents=True, exist_ok=True)
    for fam in families:
        mod = importlib.import_module(f"gen_{fam}")
        arrays = mod.generate()
        for k, a in arrays.items():
            assert "__" in k, f"{fam}: key {k!r} must be <case>__<field>"
            assert isinstance(a, np.ndarray) and a.flags.c_contiguous, k
            assert a.dtype.kind in "iuf" and a.size > 0, (k, a.dtype)
        np.savez_compressed(OUT / f"{fam}.npz", **arrays)
        print(f"{fam}: {len(arrays)} arrays, {(OUT / f'{fam}.npz').stat().st_size} bytes")
    total = sum(p.stat().st_size for p in OUT.glob("*.npz"))
    print(f"total {total} bytes")
    if total > LIMIT:
        sys.exit(f"tests/reference is {total} bytes, over the 10 MB budget")


if __name__ == "__main__":
    main(sys.argv[1:])
