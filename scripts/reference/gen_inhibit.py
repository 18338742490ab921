"""Golden cases of inhibit (spec §4.6). Fields: input, threshold, output (of inplace=False, which
has the input's shape). Cumulative potentials (the intended use), tie-heavy small integers,
non-monotone data, negative values (-0.0 for losers), NaN/inf, and the u8 threshold wrap."""
import numpy as np
import spyker

NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}


def cumulative(rng, shape, dtype, hi):
    """Non-decreasing potentials along axis 1 (time): many ties across channels."""
    inc = rng.integers(0, hi, size=shape)
    return np.cumsum(inc, axis=1).astype(NP[dtype])


def generate():
    rng = np.random.default_rng(7)
    out = {}
    # (name, shape, dtype, threshold, kind)
    cases = [
        ("u8_5d_cum", (2, 5, 4, 6, 7), "u8", 3.0, "cum"),
        ("u8_4d_cum_t0", (4, 3, 5, 5), "u8", 0.0, "cum"),
        ("u8_5d_wrap", (1, 3, 3, 4, 4), "u8", -1.0, "cum"),  # threshold 255: nobody crosses
        ("u8_5d_frac", (2, 4, 3, 3, 5), "u8", 2.9, "cum"),  # threshold 2
        ("i16_5d_cum", (2, 4, 5, 5, 4), "i16", 4.0, "cum"),
        ("i16_5d_neg", (1, 3, 4, 4, 4), "i16", -2.0, "neg"),
        ("i32_4d_rand", (3, 4, 5, 6), "i32", 1.0, "rand"),
        ("u16_5d_cum", (1, 4, 3, 5, 5), "u16", 5.0, "cum"),
        ("i64_5d_cum", (2, 3, 3, 3, 3), "i64", 2.0, "cum"),
        ("f32_5d_cum", (2, 6, 4, 5, 6), "f32", 1.5, "cumf"),
        ("f32_4d_rand", (4, 5, 4, 4), "f32", 0.25, "randf"),
        ("f32_5d_neg", (1, 3, 3, 4, 5), "f32", -0.5, "negf"),
        ("f32_5d_one_channel", (2, 3, 1, 3, 3), "f32", 0.0, "randf"),
        ("f64_5d_cum", (2, 4, 6, 4, 4), "f64", 2.0, "cumf"),
        ("f64_4d_rand", (3, 3, 7, 5), "f64", 0.0, "randf"),
        ("f16_5d_cum", (1, 4, 3, 5, 5), "f16", 1.0, "cumf"),
        ("i8_5d_rand", (2, 3, 4, 3, 3), "i8", 0.0, "rand"),
    ]
    for name, shape, dt, thr, kind in cases:
        if kind == "cum":
            x = cumulative(rng, shape, dt, 3)
        elif kind == "cumf":
            x = (cumulative(rng, shape, "f64", 5) / 4).astype(NP[dt])
        elif kind == "rand":
            lo = 0 if dt.startswith("u") else -3
            x = rng.integers(lo, 4, size=shape).astype(NP[dt])
        elif kind == "randf":
            x = (rng.integers(-8, 9, size=shape) / 4).astype(NP[dt])
        elif kind == "neg":
            x = rng.integers(-6, 0, size=shape).astype(NP[dt])
        else:  # negf
            x = (rng.integers(-8, 0, size=shape) / 4).astype(NP[dt])
        x = np.ascontiguousarray(x)
        y = spyker.inhibit(x, thr, inplace=False)
        c = f"inh_{name}"
        out[f"{c}__input"] = x
        out[f"{c}__threshold"] = np.array([thr], dtype=np.float64)
        out[f"{c}__output"] = np.ascontiguousarray(y)

    # NaN and infinities: the channel scan starts from channel 0 (a NaN there wins); losers are
    # multiplied by zero (inf * 0 = NaN).
    v = np.array([
        [np.nan, 1, 2], [1, np.nan, 2], [2, np.nan, 1], [np.nan, np.nan, np.nan],
        [np.inf, -np.inf, 5], [-np.inf, -3.0, -np.inf], [-1, -0.5, 0.0], [0.0, -0.0, 0.0],
    ], dtype=np.float32)  # [positions, channels]
    x = np.ascontiguousarray(np.stack([v.T, v.T * 2]).reshape(1, 2, 3, 2, 4))
    for thr in (0.0, -1.0):
        c = f"inh_f32_nan_inf_thr{int(-thr)}"
        out[f"{c}__input"] = x
        out[f"{c}__threshold"] = np.array([thr], dtype=np.float64)
        out[f"{c}__output"] = np.ascontiguousarray(spyker.inhibit(x, thr, inplace=False))
    return out
