#!/usr/bin/env python3
"""Times the ORIGINAL Spyker (spyker==0.1.0) on the workloads of docs/PERFORMANCE.md and prints one
JSON object {name: seconds per call}. Run through compare.sh so both libraries see the same machine,
threads and inputs (the first batch of the bundled digits)."""
import argparse
import gzip
import json
import pathlib
import time

import numpy as np
import spyker

ROOT = pathlib.Path(__file__).resolve().parents[2]


def digits(n):
    for d in (ROOT / "data" / "mnist10k", pathlib.Path("/work/shared/data/mnist10k")):
        p = d / "train-images-idx3-ubyte.gz"
        if p.exists():
            raw = gzip.decompress(p.read_bytes())
            x = np.frombuffer(raw[16:16 + n * 784], np.uint8).reshape(n, 1, 28, 28)
            return x.astype(np.float32) / 255.0
    raise SystemExit("bundled digits not found")


def vm_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def peak_mb(f):
    """Peak resident memory one call adds above what the process holds before it (MiB): the
    kernel's high-water mark is reset through /proc/self/clear_refs (Linux) before the call."""
    try:
        open("/proc/self/clear_refs", "w").write("5")
    except OSError:
        return None
    base = vm_kb("VmRSS")
    f()
    return max(vm_kb("VmHWM") - base, 0) / 1024


def timeit(fn, reps):
    fn()  # warm-up (oneDNN primitive creation, tables)
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated names")
    a = ap.parse_args()
    spyker.set_max_threads(a.threads)
    spyker.random_seed(0)
    x = digits(a.batch)
    log = spyker.LoG(3, [0.471404521, 1.099943882, 2.042752923], pad=3)
    dog = spyker.DoG(3, [spyker.DoGFilter(1, 2), spyker.DoGFilter(2, 1)], pad=3)
    c1 = spyker.Conv(6, 100, 5, pad=2)
    c1.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    c2 = spyker.Conv(100, 200, 3, pad=1)
    c2.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    k1 = spyker.Conv(2, 32, 5, pad=2, mean=0.8, std=0.05)
    k2 = spyker.Conv(32, 150, 2, pad=1, mean=0.8, std=0.05)
    k2.stdpconfig = [spyker.STDPConfig(0.004, -0.003)]
    dog6 = spyker.DoG(3, [spyker.DoGFilter(a / 9, b / 9) for a, b in
                          ((3, 6), (6, 3), (7, 14), (14, 7), (13, 26), (26, 13))], pad=3)
    m1 = spyker.Conv(6, 30, 5, pad=2, mean=0.8, std=0.05)
    m2 = spyker.Conv(30, 250, 3, pad=1, mean=0.8, std=0.05)
    m3 = spyker.Conv(250, 200, 5, pad=0, mean=0.8, std=0.05)
    filt = log(x)
    spikes = spyker.code(spyker.threshold(filt, 0.01), 15)
    pot1 = c1(spikes)
    out1 = spyker.inhibit(spyker.threshold(pot1, 16), inplace=False)
    fired1 = spyker.fire(pot1, 16)
    pooled1 = spyker.pool(fired1, 2)
    pot2 = c2(pooled1)

    def rezghi_forward():
        s = spyker.code(spyker.threshold(log(x), 0.01), 15)
        a = spyker.pool(spyker.fire(c1(s), 16), 2)
        return 15 - spyker.gather(spyker.pool(spyker.fire(c2(a), 5), 3))

    def rezghi_l1_step():
        s = spyker.code(spyker.threshold(log(x), 0.01), 15)
        o = spyker.inhibit(spyker.threshold(c1(s), 16))
        c1.stdp(s, spyker.convwta(o, 3, 5), spyker.fire(o))

    def rezghi_l2_step():
        s = spyker.code(spyker.threshold(log(x), 0.01), 15)
        a = spyker.pool(spyker.fire(c1(s), 16), 2)
        o = spyker.inhibit(spyker.threshold(c2(a), 5))
        c2.stdp(a, spyker.convwta(o, 1, 8), spyker.fire(o))

    def kh_l1(b):
        return spyker.pool(spyker.fire(k1(spyker.code(spyker.threshold(dog(b), 0.01), 15)), 10), 2, pad=1)

    def kheradpisheh_forward():
        return spyker.pool(spyker.fire(k2(kh_l1(x)), 1), 2, pad=1).max(axis=1)

    def kheradpisheh_l2_step():
        a = spyker.inhibit(kh_l1(x))
        o = spyker.inhibit(spyker.threshold(k2(a), 1))
        k2.stdp(a, spyker.convwta(o, 1, 8), spyker.fire(o))

    def mozafari_forward():
        s = spyker.code(spyker.threshold(dog6(x), 0.01), 15)
        a = spyker.pool(spyker.fire(m1(s), 15), 2, 2, pad=1)
        a = spyker.pool(spyker.fire(m2(a), 10), 3, 3, pad=1)
        return spyker.convwta(spyker.infinite(m3(a), inplace=False), 0, 1)

    work = {
        "op_log_filter": lambda: log(x),
        "op_dog_filter": lambda: dog(x),
        "op_code_rank": lambda: spyker.code(filt, 15),
        "op_threshold": lambda: spyker.threshold(pot1, 16, inplace=False),
        "op_conv1": lambda: c1(spikes),
        "op_fire": lambda: spyker.fire(pot1, 16),
        "op_inhibit": lambda: spyker.inhibit(pot1, 16, inplace=False),
        "op_convwta": lambda: spyker.convwta(out1, 3, 5),
        "op_stdp1": lambda: c1.stdp(spikes, spyker.convwta(out1, 3, 5), fired1),
        "op_pool2": lambda: spyker.pool(fired1, 2),
        "op_conv2": lambda: c2(pooled1),
        "op_gather": lambda: spyker.gather(pot2, 5),
        "rezghi_forward": rezghi_forward,
        "rezghi_l1_step": rezghi_l1_step,
        "rezghi_l2_step": rezghi_l2_step,
        "kheradpisheh_forward": kheradpisheh_forward,
        "kheradpisheh_l2_step": kheradpisheh_l2_step,
        "mozafari_forward": mozafari_forward,
    }
    only = [s for s in a.only.split(",") if s]
    res = {k: timeit(f, a.reps) for k, f in work.items() if not only or k in only}
    peak = {k: peak_mb(f) for k, f in work.items() if not only or k in only}
    print(json.dumps({"library": "original", "threads": a.threads, "batch": a.batch, "seconds": res,
                      "peak_mb": peak}))


if __name__ == "__main__":
    main()
