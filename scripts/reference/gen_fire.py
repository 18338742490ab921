"""Golden cases of the neuron ops: fire (rank and rate), threshold, quantize, gather, scatter.

Key layout: `<op>_<n>__input`; `__out` stacks along a new leading axis the original's results for
the parameter sets (its dtype is the requested output dtype); parameters are f64 arrays with one
entry per set (`__threshold`, `__value`, `__lower`, `__middle`, `__upper`; gather adds `__code`,
0 rank / 1 rate). Scatter cases hold one result (`__time`, `__out` unstacked). Values avoid the
C++ UB of spec §1.5 (out-of-range float -> integer element conversion) but include scalar
wrap-around (§1.4), integer overflow in rate firing, ties at the threshold and NaN.
"""
import numpy as np
import spyker

DTYPES = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64"]
NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}
FLOATS = ("f16", "f32", "f64")


def s(v):
    return np.array([v], dtype=np.float64)


def v(vals):
    return np.array(vals, dtype=np.float64)


def st(arrays):
    """Results for several parameter sets, stacked along a new leading axis."""
    return np.stack(arrays)


def values(rng, dt, shape, lo=-6, hi=12):
    """Tie-heavy values: small integers (halves for floats), non-negative for unsigned types."""
    if dt.startswith("u"):
        lo = 0
    if dt in FLOATS:
        v = rng.integers(2 * lo, 2 * hi, size=shape) / 2.0
    else:
        v = rng.integers(lo, hi, size=shape)
    return np.ascontiguousarray(v.astype(NP[dt]))


def extremes(dt):
    """Values at the ends of the type's range (plus a few ordinary ones)."""
    if dt in FLOATS:
        f = np.finfo(NP[dt])
        return np.array([f.min, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, f.max, np.inf, -np.inf],
                        dtype=NP[dt])
    i = np.iinfo(NP[dt])
    return np.array(sorted({i.min, i.min + 1, 0, 1, 2, 3, i.max - 1, i.max}), dtype=NP[dt])


def cumulative(rng, dt, shape, step_hi=3):
    """Cumulative potentials along axis 1 (non-decreasing), as rate firing expects."""
    inc = rng.integers(0, step_hi + 1, size=shape).astype(np.float64)
    if dt in FLOATS:
        inc = inc + rng.integers(0, 4, size=shape) / 4.0
    v = np.cumsum(inc, axis=1)
    if not dt.startswith("u"):
        v = v - 4
    return np.ascontiguousarray(v.astype(NP[dt]))


def generate():
    rng = np.random.default_rng(20240603)
    out = {}
    n = {"firerank": 0, "firerate": 0, "threshold": 0, "quantize": 0, "gather": 0, "scatter": 0}

    def add(op, **fields):
        i = n[op]
        n[op] += 1
        for k, v in fields.items():
            out[f"{op}_{i:03d}__{k}"] = np.ascontiguousarray(v)

    # ------------------------------------------------------------------ fire, rank code
    shapes = [(7,), (3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 4)]
    outs = ["u8", "i8", "f16", "f32", "i64"]
    for di, dt in enumerate(DTYPES):
        for si, shape in enumerate(shapes):
            x = values(rng, dt, shape)
            od = outs[(di + si) % len(outs)]
            thrs = [0.0, 2.0, 2.5, 1.7, -1.0, -3.0]
            add("firerank", input=x, threshold=v(thrs),
                out=st([spyker.fire(x, thr, dtype=od, code="rank") for thr in thrs]))
        x = extremes(dt)
        thrs = [0.0, 1.0, -1.0, 300.0, 3e9]
        add("firerank", input=x, threshold=v(thrs),
            out=st([spyker.fire(x, thr, code="rank") for thr in thrs]))

    # ------------------------------------------------------------------ fire, rate code
    shapes = [(2, 6, 5), (1, 8, 3, 4), (2, 5, 2, 3, 3), (1, 40, 4)]
    outs = ["u8", "i32", "f32", "u16", "f64"]
    for di, dt in enumerate(DTYPES):
        for si, shape in enumerate(shapes):
            x = cumulative(rng, dt, shape)
            od = outs[(di + si) % len(outs)]
            thrs = [0.0, 1.0, 2.0, 2.5, -1.0]
            add("firerate", input=x, threshold=v(thrs),
                out=st([spyker.fire(x, thr, dtype=od, code="rate") for thr in thrs]))
        # Non-monotone potentials (the rule still compares against the level at the last spike).
        x = values(rng, dt, (2, 9, 6))
        thrs = [0.5, 1.0, -2.0]
        add("firerate", input=x, threshold=v(thrs),
            out=st([spyker.fire(x, thr, code="rate") for thr in thrs]))
        # Overflow of level + threshold (promoted for <= 16-bit types, wrapping for 32/64-bit).
        if dt not in FLOATS:
            i = np.iinfo(NP[dt])
            x = np.array([i.max - 5, i.max, 5, i.min, i.max, 3], dtype=NP[dt]).reshape(1, 6, 1)
            thrs = [10.0, 1.0, -1.0]
            add("firerate", input=x, threshold=v(thrs),
                out=st([spyker.fire(x, thr, code="rate") for thr in thrs]))
    # Counts kept in the output dtype: u8 and i8 wrap, f16 saturates at 2048.
    x = np.arange(300, dtype=np.float32).reshape(1, 300, 1)
    for od in ["u8", "i8", "u16"]:
        add("firerate", input=x, threshold=v([0.5]),
            out=st([spyker.fire(x, 0.5, dtype=od, code="rate")]))
    x = np.arange(2100, dtype=np.float32).reshape(1, 2100, 1)
    add("firerate", input=x, threshold=v([0.5]),
        out=st([spyker.fire(x, 0.5, dtype="f16", code="rate")]))
    # f16 rounds level + threshold in half precision.
    x = np.array([1000.0, 1000.5, 1001.0, 1001.5], dtype=np.float16).reshape(1, 4, 1)
    thrs = [0.25, 0.3, 0.5]
    add("firerate", input=x, threshold=v(thrs),
        out=st([spyker.fire(x, thr, code="rate") for thr in thrs]))

    # ------------------------------------------------------------------ threshold
    shapes = [(9,), (4, 5), (2, 2, 3, 4), (1, 2, 3, 2, 2)]
    for dt in DTYPES:
        for shape in shapes:
            x = values(rng, dt, shape)
            ps = [(2.0, 0.0), (2.5, -1.0), (0.0, 7.0), (1.7, 100.5), (-1.0, 3.0)]
            add("threshold", input=x, threshold=v([p[0] for p in ps]), value=v([p[1] for p in ps]),
                out=st([spyker.threshold(x, a, b, inplace=False) for a, b in ps]))
        x = extremes(dt)
        ps = [(1.0, 0.0), (300.0, 2.0), (-1.0, 1.0)]
        add("threshold", input=x, threshold=v([p[0] for p in ps]), value=v([p[1] for p in ps]),
            out=st([spyker.threshold(x, a, b, inplace=False) for a, b in ps]))

    # ------------------------------------------------------------------ quantize
    for dt in DTYPES:
        for shape in shapes:
            x = values(rng, dt, shape)
            ps = [(0.0, 2.0, 1.0), (-1.0, 2.5, 9.0), (3.0, 0.0, 5.0), (0.0, 1.7, 300.0)]
            add("quantize", input=x, lower=v([p[0] for p in ps]), middle=v([p[1] for p in ps]),
                upper=v([p[2] for p in ps]),
                out=st([spyker.quantize(x, a, b, c, inplace=False) for a, b, c in ps]))
        x = extremes(dt)
        add("quantize", input=x, lower=v([1.0]), middle=v([1.0]), upper=v([2.0]),
            out=st([spyker.quantize(x, 1.0, 1.0, 2.0, inplace=False)]))

    # ------------------------------------------------------------------ gather
    shapes = [(6, 5), (2, 7, 5), (2, 6, 3, 4), (1, 5, 2, 3, 4)]
    outs = ["u8", "i32", "f32", "f16", "u64"]
    for di, dt in enumerate(DTYPES):
        for si, shape in enumerate(shapes):
            x = cumulative(rng, dt, shape, step_hi=2)
            od = outs[(di + si) % len(outs)]
            thrs = [0.0, 2.0, 2.5, -1.0]
            add("gather", input=x, threshold=v(thrs), code=s(0),
                out=st([spyker.gather(x, thr, dtype=od, code="rank") for thr in thrs]))
            # Rate: the last time step, converted (values stay in every output range).
            od = "f64" if dt in FLOATS else outs[(di + si) % len(outs)]
            if od in ("u8", "u64") and not dt.startswith("u"):
                od = "i32"
            add("gather", input=x, threshold=v([1.0]), code=s(1),
                out=st([spyker.gather(x, 1.0, dtype=od, code="rate")]))
        # Non-monotone input: the first crossing counts.
        x = values(rng, dt, (2, 8, 6))
        add("gather", input=x, threshold=v([3.0]), code=s(0),
            out=st([spyker.gather(x, 3.0, code="rank")]))
    # "Never" is T converted to the output dtype (wraps in u8, inf in f16, rounds in f16).
    x = np.zeros((1, 300, 3), dtype=np.float32)
    x[0, 100:, 1] = 1
    x[0, 299:, 2] = 1
    for od in ["u8", "i8", "u16", "f16"]:
        add("gather", input=x, threshold=v([0.5]), code=s(0),
            out=st([spyker.gather(x, 0.5, dtype=od)]))
    x = np.zeros((1, 3000, 2), dtype=np.float32)
    x[0, 2049:, 0] = 1
    x[0, 2051:, 1] = 1
    add("gather", input=x, threshold=v([0.5]), code=s(0),
        out=st([spyker.gather(x, 0.5, dtype="f16")]))

    # ------------------------------------------------------------------ scatter
    shapes = [(6,), (3, 5), (2, 2, 3, 2)]
    outs = ["u8", "f32", "i64", "f16"]
    for di, dt in enumerate(DTYPES):
        for si, shape in enumerate(shapes):
            x = values(rng, dt, shape, lo=-2, hi=8)
            for time in [1, 4, 9]:
                od = outs[(di + si + time) % len(outs)]
                add("scatter", input=x, time=s(time), out=spyker.scatter(x, time, dtype=od))
        x = extremes(dt).reshape(1, -1)
        if dt in FLOATS:
            x = np.concatenate([x, np.array([[0.25, 0.5, 1.5, 2.5, 3.0, 3.5, -0.5, 7.0, 8.0, 9.0]],
                                            dtype=NP[dt])], axis=0)
        add("scatter", input=x, time=s(5), out=spyker.scatter(x, 5))
    x = np.array([[2052, 2050, 2049, 1]], dtype=np.float16)
    add("scatter", input=x, time=s(2100), out=spyker.scatter(x, 2100))

    # ------------------------------------------------------------------ NaN (float types)
    for dt in FLOATS:
        x = np.array([np.nan, 1.0, np.nan, 3.0, 2.0, np.nan], dtype=NP[dt]).reshape(1, 6, 1)
        add("firerank", input=x, threshold=v([0.5]), out=st([spyker.fire(x, 0.5)]))
        add("firerate", input=x, threshold=v([0.5]), out=st([spyker.fire(x, 0.5, code="rate")]))
        add("gather", input=x, threshold=v([0.5]), code=s(0), out=st([spyker.gather(x, 0.5)]))
        add("threshold", input=x, threshold=v([1.0]), value=v([-4.0]),
            out=st([spyker.threshold(x, 1.0, -4.0, inplace=False)]))
        add("quantize", input=x, lower=v([0.0]), middle=v([2.0]), upper=v([1.0]),
            out=st([spyker.quantize(x, 0.0, 2.0, 1.0, inplace=False)]))
        x2 = x.reshape(1, 6)
        add("scatter", input=x2, time=s(4), out=spyker.scatter(x2, 4))
    return out
