"""Golden cases of the `code` family: rank coding (linear and sorted, tie-free and tie-heavy),
rate (Poisson) coding bit for bit from a fresh process, and `infinite`.

Keys: rank_<case>__{input,output,time,sort}; rate_<NN>_<case>__{input,output,time,sort,seed,clear,valid}
(NN gives the order in which the calls were made: the Poisson tables depend on the process's
rand() history); inf_<case>__{input,output,value}; wrap__{input,output,time}.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import spyker

NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}


def distinct(rng, shape, dtype):
    """Tie-free values of `dtype` (a random permutation, scaled for floats)."""
    n = int(np.prod(shape[1:]))
    rows = []
    for _ in range(shape[0]):
        p = rng.permutation(n).astype(np.float64)
        if dtype in ("f16",):
            v = p * 0.5 - 7.0
        elif dtype.startswith("f"):
            v = p * 0.37 + rng.random() * 3 - 50.0
            v = v + rng.random(n) * 0.01
        elif dtype.startswith("u"):
            v = p * (3 if n * 3 < np.iinfo(NP[dtype]).max else 1)
        else:
            v = p * (3 if n * 3 < np.iinfo(NP[dtype]).max // 2 else 1) - n // 2
        rows.append(v)
    return np.ascontiguousarray(np.array(rows).reshape(shape).astype(NP[dtype]))


def ties(rng, shape, dtype, levels):
    """Tie-heavy values: `levels` distinct values repeated."""
    v = rng.integers(0, levels, size=shape).astype(np.float64)
    if dtype.startswith("f"):
        v = v * 0.25 - 1.0
    elif dtype.startswith("i"):
        v = v - levels // 2
    return np.ascontiguousarray(v.astype(NP[dtype]))


def rank_cases(rng):
    out = {}

    def add(name, x, time, sort, dtype="u8"):
        y = spyker.code(x, time, sort=sort, dtype=dtype, code="rank")
        out[f"rank_{name}__input"] = x
        out[f"rank_{name}__output"] = np.ascontiguousarray(y)
        out[f"rank_{name}__time"] = np.array([time], dtype=np.int64)
        out[f"rank_{name}__sort"] = np.array([int(sort)], dtype=np.int64)

    for sort in (False, True):
        s = "sorted" if sort else "linear"
        for dt in ("f32", "f64", "u8", "i16", "i32", "u16", "i64", "f16", "u32", "i8", "u64"):
            add(f"{s}_free_2d_{dt}", distinct(rng, (3, 40), dt), 9, sort)
        add(f"{s}_free_1d_f32", distinct(rng, (1, 25), "f32")[0], 6, sort)
        add(f"{s}_free_3d_f64", distinct(rng, (2, 5, 7), "f64"), 12, sort)
        add(f"{s}_free_4d_u8", distinct(rng, (2, 2, 6, 6), "u8"), 15, sort)
        add(f"{s}_free_5d_f32", distinct(rng, (2, 2, 2, 4, 5), "f32"), 7, sort)
        add(f"{s}_free_4d_f32_out_f32", distinct(rng, (2, 3, 5, 5), "f32"), 10, sort, "f32")
        add(f"{s}_free_2d_i16_out_i32", distinct(rng, (2, 30), "i16"), 4, sort, "i32")
        # Random floats (not a permutation): exercises the rounding of the linear rule.
        add(f"{s}_rand_2d_f32", (rng.random((16, 200)) * 10).astype(np.float32), 37, sort)
        add(f"{s}_rand_2d_f64", rng.random((16, 200)) * 10 - 3, 37, sort)
        add(f"{s}_rand_2d_i32", rng.integers(-10**6, 10**6, (8, 200)).astype(np.int32), 23, sort)
        # Tie-heavy, around the insertion-sort threshold and well beyond it.
        for n in (10, 16, 17, 40, 300, 1000):
            add(f"{s}_ties_{n}_u8", ties(rng, (6, n), "u8", 5), 11, sort)
        add(f"{s}_ties_4d_f32", ties(rng, (4, 3, 9, 9), "f32", 7), 13, sort)
        add(f"{s}_ties_2d_i16", ties(rng, (5, 257), "i16", 3), 30, sort)
        add(f"{s}_ties_2d_f64", ties(rng, (5, 120), "f64", 12), 8, sort)
        add(f"{s}_ties_2d_i32_out_f64", ties(rng, (3, 64), "i32", 4), 5, sort, "f64")
        # Constant samples fire everything at t = 0; a two-valued sample; time 1.
        c = np.full((2, 20), 3.0, dtype=np.float32)
        c[1] = -1.0
        add(f"{s}_constant_f32", c, 6, sort)
        two = np.zeros((1, 33), dtype=np.uint8)
        two[0, 5] = 9
        add(f"{s}_single_u8", two, 4, sort)
        add(f"{s}_time1_f32", distinct(rng, (2, 12), "f32"), 1, sort)
    return out


def rate_calls():
    """The sequence of rate-coding calls (order matters)."""
    rng = np.random.default_rng(1234)
    calls = []

    def add(name, x, time, sort, seed, dtype="u8", clear=False):
        calls.append(dict(name=name, x=x, time=time, sort=sort, seed=seed, dtype=dtype,
                          clear=clear))

    x = (rng.random((4, 50)) * 10).astype(np.float32)
    add("t10_linear_f32", x, 10, False, 5)
    add("t10_sorted_f32", x, 10, True, 5)
    add("t10_again_seed5", x, 10, False, 5)
    add("t64_linear_f64", rng.random((2, 2, 4, 5)) * 2 - 1, 64, False, 42)
    add("t64_sorted_i16_out_f32", distinct(rng, (2, 60), "i16"), 64, True, 7, "f32")
    add("t7_linear_u8", distinct(rng, (5, 30), "u8"), 7, False, 2**32 - 1)
    add("t300_wrap_u8", (rng.random((1, 20)) * 10).astype(np.float32), 300, False, 99)
    add("t300_counts_i32", (rng.random((1, 20)) * 10).astype(np.float32), 300, True, 99, "i32")
    add("t10_after_clear", x, 10, False, 5, clear=True)
    add("t10_constant", np.full((2, 8), 1.5, dtype=np.float32), 10, True, 11)
    add("t25_1d_f32", (rng.random(40) * 3).astype(np.float32), 25, False, 3)
    # ~380 spikes for the brightest feature: u8 counts wrap at 256.
    # (a constant sample: every feature uses the λ = 1 row, and no minimum reads past the table)
    add("t600_u8_wraps", np.full((1, 6), 2.0, dtype=np.float32), 600, True, 8)
    return calls


def minima_fired(x, y, time):
    """Per sample: True when a minimum-valued feature spiked. That feature reads one row past
    the original's Poisson table (heap garbage, UB), and when the garbage is < time it spikes and
    draws again, which shifts the generator for the rest of the sample."""
    b = y.shape[0]
    xf = x.reshape(b, -1)
    yf = y.reshape(b, time, -1)
    return np.array([bool(yf[i][:, xf[i] == xf[i].min()].any()) and xf[i].min() != xf[i].max()
                     for i in range(b)])


def rate_child(path):
    """Runs in a fresh process: rand() starts from seed 1 there, as in any new process.

    For each call, seeds base, base+1, ... are tried until no sample hits the out-of-bounds
    garbage (up to 300 tries). Retrying reuses the cached table (tables are built only on the
    first call with a given time), so the rand() history is the same as without retries; the
    seed actually used is recorded, and `valid` marks the samples that stayed in defined
    behaviour (the only ones the Rust test compares)."""
    out = {}
    for i, c in enumerate(rate_calls()):
        if c["clear"]:
            spyker.clear_context()
        best = None
        for seed in range(c["seed"], c["seed"] + 300):
            spyker.random_seed(seed)
            y = spyker.code(c["x"], c["time"], sort=c["sort"], dtype=c["dtype"], code="rate")
            x = c["x"] if c["x"].ndim > 1 else c["x"][None]
            valid = ~minima_fired(x, np.asarray(y), c["time"])
            if best is None or valid.sum() > best[2].sum():
                best = (seed, np.ascontiguousarray(y), valid)
            if valid.all():
                break
        seed, y, valid = best
        k = f"rate_{i:02d}_{c['name']}"
        out[f"{k}__input"] = np.ascontiguousarray(c["x"])
        out[f"{k}__output"] = y
        out[f"{k}__time"] = np.array([c["time"]], dtype=np.int64)
        out[f"{k}__sort"] = np.array([int(c["sort"])], dtype=np.int64)
        out[f"{k}__seed"] = np.array([seed], dtype=np.int64)
        out[f"{k}__clear"] = np.array([int(c["clear"])], dtype=np.int64)
        out[f"{k}__valid"] = valid.astype(np.uint8)
        print(f"  {k}: seed {seed}, {int(valid.sum())}/{valid.size} samples in defined behaviour")
    np.savez(path, **out)


def infinite_cases(rng):
    out = {}
    for name, shape, dt, value in [("2d_f32", (4, 6), "f32", 7.5), ("3d_u8", (2, 3, 5), "u8", -1.0),
                                   ("5d_i16", (2, 3, 2, 2, 2), "i16", 2.9),
                                   ("4d_f64", (1, 5, 3, 3), "f64", -0.25),
                                   ("t1_i32", (3, 1, 4), "i32", 9.0)]:
        x = (rng.random(shape) * 100).astype(NP[dt])
        y = spyker.infinite(x, value=value, inplace=False)
        out[f"inf_{name}__input"] = x
        out[f"inf_{name}__output"] = np.ascontiguousarray(y)
        out[f"inf_{name}__value"] = np.array([value])
    return out


def generate():
    rng = np.random.default_rng(2024)
    out = rank_cases(rng)
    out.update(infinite_cases(rng))
    # u16 wrap-around of sorted spike times (spec §3.2 bug a): one minimum-valued feature fires.
    w = np.zeros((1, 5000), dtype=np.float32)
    w[0, 123] = 1.0
    out["wrap__input"] = w
    out["wrap__output"] = np.ascontiguousarray(spyker.code(w, 15, sort=True))
    out["wrap__time"] = np.array([15], dtype=np.int64)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rate.npz")
        here = str(pathlib.Path(__file__).resolve().parent)
        code = f"import sys; sys.path.insert(0, {here!r}); import gen_code; gen_code.rate_child({path!r})"
        env = dict(os.environ, OMP_NUM_THREADS="1")
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        with np.load(path) as z:
            out.update({k: z[k] for k in z.files})
    return out
