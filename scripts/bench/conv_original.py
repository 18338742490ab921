#!/usr/bin/env python3
"""Times the ORIGINAL Spyker's conv on the Rezghi layer-1 workload (op_conv1 of original.py:
rank-coded LoG spikes of the first 64 bundled digits, T=15, Conv(6, 100, 5, pad=2)), reporting the
fastest call and the CPU seconds per call (robust on a shared machine). Compare with
`cargo bench --bench conv -- THREADS REPS`."""
import sys
import time
import pathlib

import numpy as np
import spyker

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from original import digits  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
spyker.set_max_threads(threads)
spyker.random_seed(0)
x = digits(64)
log = spyker.LoG(3, [0.471404521, 1.099943882, 2.042752923], pad=3)
spikes = spyker.code(spyker.threshold(log(x), 0.01), 15)
c1 = spyker.Conv(6, 100, 5, pad=2)
c1(spikes)
best = float("inf")
cpu0 = time.process_time()
for _ in range(reps):
    t = time.perf_counter()
    c1(spikes)
    best = min(best, time.perf_counter() - t)
cpu = (time.process_time() - cpu0) / reps
macs = 64 * 15 * 100 * 28 * 28 * 6 * 25
print(f"original conv rezghi-l1 (spike density {np.asarray(spikes).mean() * 100:.1f}%), "
      f"{threads} threads: best {best:.4f} s ({macs / best / 1e9:.2f} GMAC/s), {cpu:.3f} CPU-s/call")
