#!/usr/bin/env python3
"""The three reference networks run with the ORIGINAL Spyker (spyker==0.1.0), for comparison with
this library's examples (docs/REPRODUCTION.md). Hyper-parameters: shared spec reference-pipelines.

    OMP_NUM_THREADS=2 .venv-ref/bin/python scripts/reference/pipelines.py rezghi [--scaled]
        [--data DIR] [--limit N] [--threads N] [--seed S] [--epochs-rstdp N]
        [--stdp-limit N] [--dump-features FILE.npz]

--dump-features writes the classifier inputs (train_x, train_y, test_x, test_y) so that this
library's classifier stage (examples/common) can be measured on the original's features.
--stdp-limit trains the STDP layers on the first N training images only (features still cover all).

Needs scikit-learn in the venv for the SVM/PCA stages (pip install scikit-learn).
"""
import argparse
import gzip
import pathlib
import time

import numpy as np
import spyker

ROOT = pathlib.Path(__file__).resolve().parents[2]
BATCH = 64


def read_idx(path):
    p = pathlib.Path(path)
    if not p.exists():
        p = p.with_name(p.name + ".gz")
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic = int.from_bytes(raw[:4], "big")
    n = int.from_bytes(raw[4:8], "big")
    if magic == 2051:
        r, c = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        return np.frombuffer(raw[16:], np.uint8).reshape(n, 1, r, c)
    return np.frombuffer(raw[8:], np.uint8).reshape(n)


def load(data, limit):
    d = pathlib.Path(data)
    tr_x = read_idx(d / "train-images-idx3-ubyte")
    tr_y = read_idx(d / "train-labels-idx1-ubyte")
    te_x = read_idx(d / "t10k-images-idx3-ubyte")
    te_y = read_idx(d / "t10k-labels-idx1-ubyte")
    if limit:
        tr_x, tr_y = tr_x[:limit], tr_y[:limit]
        te_x, te_y = te_x[: max(limit // 4, 1)], te_y[: max(limit // 4, 1)]
    f = lambda x: (x.astype(np.float32) / 255.0)
    return f(tr_x), tr_y.astype(np.int64), f(te_x), te_y.astype(np.int64)


def batches(x, size=BATCH):
    for i in range(0, len(x), size):
        yield i, x[i:i + size]


class LRStep:
    """Every `every` images: positive *= m (capped), negative keeps its ratio to positive."""

    def __init__(self, layer, every, m, cap):
        self.layer, self.every, self.m, self.cap, self.seen = layer, every, m, cap, 0

    def update(self, n):
        before = self.seen // self.every
        self.seen += n
        for _ in range(self.seen // self.every - before):
            cfg = self.layer.stdpconfig[0]
            ratio = cfg.negative / cfg.positive
            pos = min(cfg.positive * self.m, self.cap)
            self.layer.stdpconfig = [spyker.STDPConfig(pos, pos * ratio)]


def train_layer(layer, inputs_fn, x, thr, radius, count, epochs, step, inhibit_input=False):
    for _ in range(epochs):
        for _, b in batches(x):
            a = inputs_fn(b)
            if inhibit_input:
                a = spyker.inhibit(a)
            pot = spyker.inhibit(spyker.threshold(layer(a), thr))
            winners = spyker.convwta(pot, radius, count)
            layer.stdp(a, winners, spyker.fire(pot))
            if step:
                step.update(len(b))


def dump(args, ftr, try_, fte, tey):
    if args.dump_features:
        np.savez(args.dump_features, train_x=np.ascontiguousarray(ftr, np.float32),
                 train_y=try_.astype(np.int64), test_x=np.ascontiguousarray(fte, np.float32),
                 test_y=tey.astype(np.int64))


def stdp_set(args, x):
    return x[: args.stdp_limit] if args.stdp_limit else x


def svm(train_f, train_y, test_f, test_y, pca=None, kernel="linear", c=2.4):
    from sklearn.decomposition import PCA
    from sklearn.svm import SVC, LinearSVC

    if pca:
        p = PCA(pca).fit(train_f)
        train_f, test_f = p.transform(train_f), p.transform(test_f)
    clf = LinearSVC(C=c, dual="auto", max_iter=20000) if kernel == "linear" else SVC(C=c, kernel=kernel)
    t = time.time()
    clf.fit(train_f, train_y)
    acc = float((clf.predict(test_f) == test_y).mean())
    print(f"  classifier ({'pca %d + ' % pca if pca else ''}{kernel}): {acc:.4f} in {time.time() - t:.1f} s", flush=True)
    return acc


def features(fn, x):
    return np.concatenate([fn(b).reshape(len(b), -1) for _, b in batches(x)])


def rezghi(args, data):
    trx, try_, tex, tey = data
    scale = 8000 / 60000 if args.scaled else 1.0
    every = max(int(round(2000 * scale)), 1)
    filt = spyker.LoG(3, [0.471404521, 1.099943882, 2.042752923], pad=3)
    code = lambda b: spyker.code(spyker.threshold(filt(b), 0.01), 15)
    c1 = spyker.Conv(6, 100, 5, pad=2, mean=0.5, std=0.02)
    c1.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    c2 = spyker.Conv(100, 200, 3, pad=1, mean=0.5, std=0.02)
    c2.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    t = time.time()
    train_layer(c1, code, stdp_set(args, trx), 16, 3, 5, 1, LRStep(c1, every, 1.5, 1.5))
    t1 = time.time() - t
    l1 = lambda b: spyker.pool(spyker.fire(c1(code(b)), 16), 2)
    t = time.time()
    train_layer(c2, l1, stdp_set(args, trx), 5, 1, 8, 1, LRStep(c2, every, 1.5, 1.5))
    t2 = time.time() - t
    feat = lambda b: 15 - spyker.gather(spyker.pool(spyker.fire(c2(l1(b)), 5), 3)).astype(np.float32)
    t = time.time()
    ftr, fte = features(feat, trx), features(feat, tex)
    t3 = time.time() - t
    dump(args, ftr, try_, fte, tey)
    acc = svm(ftr, try_, fte, tey, pca=200, kernel="rbf")
    lin = svm(ftr, try_, fte, tey)
    return {"conv1_s": t1, "conv2_s": t2, "features_s": t3, "accuracy": acc, "linear_accuracy": lin}


def kheradpisheh(args, data):
    trx, try_, tex, tey = data
    scale = 8000 / 60000 if args.scaled else 1.0
    every = max(int(round(500 * scale)), 1)
    filt = spyker.DoG(3, [spyker.DoGFilter(1, 2), spyker.DoGFilter(2, 1)], pad=3)
    code = lambda b: spyker.code(spyker.threshold(filt(b), 0.01), 15)
    c1 = spyker.Conv(2, 32, 5, pad=2, mean=0.8, std=0.05)
    c1.stdpconfig = [spyker.STDPConfig(0.004, -0.003)]
    c2 = spyker.Conv(32, 150, 2, pad=1, mean=0.8, std=0.05)
    c2.stdpconfig = [spyker.STDPConfig(0.004, -0.003)]
    t = time.time()
    train_layer(c1, code, stdp_set(args, trx), 10, 2, 5, 2, LRStep(c1, every, 2, 0.15))
    t1 = time.time() - t
    l1 = lambda b: spyker.pool(spyker.fire(c1(code(b)), 10), 2, pad=1)
    t = time.time()
    train_layer(c2, l1, stdp_set(args, trx), 1, 1, 8, args.epochs or 20, None, inhibit_input=True)
    t2 = time.time() - t
    feat = lambda b: spyker.pool(spyker.fire(c2(l1(b)), 1), 2, pad=1).max(axis=1).astype(np.float32)
    t = time.time()
    ftr, fte = features(feat, trx), features(feat, tex)
    t3 = time.time() - t
    dump(args, ftr, try_, fte, tey)
    return {"conv1_s": t1, "conv2_s": t2, "features_s": t3, "accuracy": svm(ftr, try_, fte, tey)}


def mozafari(args, data):
    trx, try_, tex, tey = data
    scale = 8000 / 60000 if args.scaled else 1.0
    every = max(int(round(500 * scale)), 1)
    fs = [(3 / 9, 6 / 9), (6 / 9, 3 / 9), (7 / 9, 14 / 9), (14 / 9, 7 / 9), (13 / 9, 26 / 9), (26 / 9, 13 / 9)]
    filt = spyker.DoG(3, [spyker.DoGFilter(a, b) for a, b in fs], pad=3)
    code = lambda b: spyker.code(spyker.threshold(filt(b), 0.02), 15)
    c1 = spyker.Conv(6, 30, 5, pad=2, mean=0.8, std=0.05)
    c1.stdpconfig = [spyker.STDPConfig(0.004, -0.003)]
    c2 = spyker.Conv(30, 250, 3, pad=1, mean=0.8, std=0.05)
    c2.stdpconfig = [spyker.STDPConfig(0.004, -0.003)]
    c3 = spyker.Conv(250, 200, 5, pad=2, mean=0.8, std=0.05)
    t = time.time()
    train_layer(c1, code, stdp_set(args, trx), 15, 3, 5, 2, LRStep(c1, every, 2, 0.15))
    l1 = lambda b: spyker.pool(spyker.fire(c1(code(b)), 15), 2)
    train_layer(c2, l1, stdp_set(args, trx), 5, 1, 8, 4, LRStep(c2, every, 2, 0.15))
    l2 = lambda b: spyker.pool(spyker.fire(c2(l1(b)), 5), 3)
    t12 = time.time() - t
    # Layer 3 inputs do not change during R-STDP: compute them once.
    a_tr = [l2(b) for _, b in batches(trx)]
    a_te = [l2(b) for _, b in batches(tex)]
    reward = (0.004, -0.003)
    punish = (-0.004, 0.0005)

    def decide(a):
        pot = spyker.infinite(c3(a))
        w = spyker.convwta(pot, 0, 1)
        return [(ws[0].z // 20 if len(ws) else -1) for ws in w], w, pot

    def evaluate():
        hits = 0
        for i, a in enumerate(a_te):
            pred, _, _ = decide(a)
            hits += int((np.array(pred) == tey[i * BATCH:i * BATCH + len(pred)]).sum())
        return hits / len(tey)

    best, best_k = 0.0, None
    hit_frac, miss_frac = 0.5, 0.5
    window = {"n": 0, "hit": 0}
    t = time.time()
    for epoch in range(args.epochs_rstdp):
        for i, a in enumerate(a_tr):
            c3.stdpconfig = [
                spyker.STDPConfig(reward[0] * miss_frac, reward[1] * miss_frac, False, 0.2, 0.8),
                spyker.STDPConfig(punish[0] * hit_frac, punish[1] * hit_frac, False, 0.2, 0.8),
            ]
            pred, winners, pot = decide(a)
            target = try_[i * BATCH:i * BATCH + len(pred)]
            for ws, p, tgt in zip(winners, pred, target):
                for w in ws:
                    w.c = int(p != tgt)
            c3.stdp(a, winners, spyker.fire(pot))
            window["n"] += len(pred)
            window["hit"] += int((np.array(pred) == target).sum())
            if window["n"] >= 1024:
                hit_frac = window["hit"] / window["n"]
                miss_frac = 1 - hit_frac
                window = {"n": 0, "hit": 0}
        acc = evaluate()
        print(f"  R-STDP epoch {epoch + 1}: test accuracy {acc:.4f}", flush=True)
        if acc > best:
            best, best_k = acc, spyker.to_numpy(c3.kernel)
    return {"conv12_s": t12, "rstdp_s": time.time() - t, "accuracy": best}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network", choices=["rezghi", "kheradpisheh", "mozafari"])
    ap.add_argument("--data", default=str(ROOT / "data" / "mnist10k"))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scaled", action="store_true", help="LR-step intervals scaled by 8000/60000")
    ap.add_argument("--epochs", type=int, default=0, help="override conv2 epochs (kheradpisheh)")
    ap.add_argument("--epochs-rstdp", type=int, default=14)
    ap.add_argument("--stdp-limit", type=int, default=0, help="train STDP layers on the first N images")
    ap.add_argument("--dump-features", default="", help="write classifier inputs to this .npz")
    args = ap.parse_args()
    spyker.set_max_threads(args.threads)
    spyker.random_seed(args.seed)
    data = load(args.data, args.limit)
    t = time.time()
    res = globals()[args.network](args, data)
    res["total_s"] = time.time() - t
    print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in res.items()})


if __name__ == "__main__":
    main()
