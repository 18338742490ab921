#!/usr/bin/env python3
"""The original pipelines' classifier stage (scikit-learn, as in pipelines.py) on a features file,
so that features of either library go through the same classifier:

    OMP_NUM_THREADS=1 .venv-ref/bin/python scripts/reference/classify_features.py FILE.npz
        [--kernel linear|rbf] [--pca N] [--c 2.4]

FILE.npz holds train_x [N, F], train_y [N], test_x [M, F], test_y [M]: written by
`examples/kheradpisheh --dump-features` / `examples/rezghi --dump-features` (this library) or by
`pipelines.py --dump-features` (the original). Needs scikit-learn.
"""
import argparse
import time

import numpy as np

from pipelines import svm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("features")
    ap.add_argument("--kernel", default="linear", choices=["linear", "rbf"])
    ap.add_argument("--pca", type=int, default=0)
    ap.add_argument("--c", type=float, default=2.4)
    args = ap.parse_args()
    t = time.time()
    z = np.load(args.features)
    trx, tex = z["train_x"], z["test_x"]
    print(f"train {trx.shape}, test {tex.shape}, loaded in {time.time() - t:.1f} s", flush=True)
    acc = svm(trx, z["train_y"], tex, z["test_y"], pca=args.pca or None, kernel=args.kernel, c=args.c)
    print({"accuracy": round(acc, 4), "total_s": round(time.time() - t, 1)})


if __name__ == "__main__":
    main()
