"""Golden cases of pad and pool (max and rate-guided), spec §5.

Case prefixes: `pad_*` (fields input, pad, value, output), `max_*` (input, kernel, stride, pad,
output), `rate_*` (input, rates, kernel, stride, output), `ratefb_*` (rate pooling where no rate in
some window beats the type's lowest value: the original's plane-index-0 fallback, spec §14.3) and
`f16floor_*` (max pooling of f16 windows below 2^-14, spec §14.2). Spatial arguments are stored as
int64 arrays: kernel/stride (y, x), pad (top, left, bottom, right).
"""
import numpy as np
import spyker

NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}


def cumulative(rng, shape, dtype, p=0.3):
    """Cumulative 0/1 spike trains along axis 1 (time) of a 5-D shape (tie-heavy)."""
    x = (rng.random(shape) < p).astype(np.int64)
    return np.ascontiguousarray((np.cumsum(x, axis=1) > 0).astype(NP[dtype]))


def values(rng, shape, dtype, lo=-50, hi=50):
    """Distinct-ish values; floats get fractions, unsigned types stay non-negative."""
    d = NP[dtype]
    if np.dtype(d).kind == "f":
        return (rng.integers(lo * 4, hi * 4, size=shape) / 4).astype(d)
    if np.dtype(d).kind == "u":
        lo = 0
    return rng.integers(lo, hi, size=shape).astype(d)


def e2(v):
    return np.array(v if isinstance(v, (list, tuple)) else [v, v], dtype=np.int64)


def e4(v):
    if isinstance(v, int):
        v = [v] * 4
    elif len(v) == 2:
        v = [v[0], v[1], v[0], v[1]]
    return np.array(v, dtype=np.int64)


def generate():
    rng = np.random.default_rng(20240503)
    out = {}

    # ------------------------------------------------------------------ pad
    pad_cases = [
        ("u8_5d_asym", (2, 3, 2, 4, 5), "u8", (1, 2, 3, 4), 0.0, "cum"),
        ("u8_4d_wrap", (3, 2, 3, 4), "u8", (2, 1), -1.0, "val"),  # -1 -> 255
        ("i16_5d_frac", (1, 2, 3, 3, 2), "i16", 2, -7.9, "val"),  # -7.9 -> -7
        ("i32_5d_none", (1, 1, 2, 3, 3), "i32", 0, 5.0, "val"),
        ("f32_5d_asym", (2, 2, 2, 5, 3), "f32", (0, 3, 1, 0), 2.5, "val"),
        ("f32_4d_negzero", (1, 2, 3, 3), "f32", (1, 1, 0, 2), -0.0, "val"),
        ("f64_4d", (2, 3, 4, 4), "f64", (3, 0, 0, 1), -1.25, "val"),
        ("f16_5d", (1, 2, 2, 3, 4), "f16", 1, 0.5, "val"),
        ("u64_5d", (1, 2, 1, 2, 3), "u64", (1, 0, 1, 0), 3.0, "val"),
        ("i8_4d", (2, 1, 3, 2), "i8", (0, 0, 2, 2), -3.0, "val"),
    ]
    for name, shape, dt, pad, value, kind in pad_cases:
        x = cumulative(rng, shape if len(shape) == 5 else (1,) + shape, dt).reshape(shape) \
            if kind == "cum" else values(rng, shape, dt)
        x = np.ascontiguousarray(x)
        y = spyker.pad(x, pad, value)
        c = f"pad_{name}"
        out[f"{c}__input"] = x
        out[f"{c}__pad"] = e4(pad)
        out[f"{c}__value"] = np.array([value], dtype=np.float64)
        out[f"{c}__output"] = np.ascontiguousarray(y)

    # ------------------------------------------------------------------ max pooling
    # (name, shape, dtype, kernel, stride (None = kernel), pad, data kind)
    max_cases = [
        ("u8_5d_k2", (2, 4, 3, 8, 8), "u8", 2, None, 0, "cum"),
        ("u8_5d_k3s2p1", (2, 5, 2, 9, 7), "u8", 3, 2, 1, "cum"),
        ("u8_4d_k3s1", (4, 3, 6, 6), "u8", 3, 1, 0, "cum"),
        ("u8_5d_rect", (1, 3, 2, 7, 9), "u8", (3, 2), (1, 2), (1, 0, 2, 1), "cum"),
        ("u16_5d_k2s1p", (1, 3, 2, 5, 6), "u16", 2, 1, (0, 1, 1, 0), "val"),
        ("i16_5d_k3s2", (2, 2, 3, 7, 7), "i16", 3, 2, 0, "val"),
        ("i16_4d_neg_pad", (2, 2, 5, 5), "i16", 2, 2, (1, 1, 0, 0), "neg"),
        ("i32_5d_k2s3", (1, 2, 2, 8, 8), "i32", 2, 3, 0, "val"),
        ("i64_5d_big", (1, 1, 2, 6, 5), "i64", (5, 4), (1, 1), (2, 2, 2, 2), "val"),
        ("f32_5d_k2", (2, 3, 4, 6, 6), "f32", 2, None, 0, "val"),
        ("f32_5d_k3s2p1_neg", (1, 2, 3, 7, 7), "f32", 3, 2, 1, "neg"),
        ("f32_4d_rect", (2, 3, 5, 9), "f32", (2, 3), (2, 1), (0, 2, 1, 0), "val"),
        ("f32_4d_cum", (5, 2, 8, 8), "f32", 2, 2, 0, "cum"),
        ("f32_5d_kfull", (1, 2, 2, 4, 5), "f32", (4, 5), None, 0, "val"),
        ("f32_5d_kpad", (1, 1, 1, 2, 2), "f32", 4, 1, 1, "neg"),
        ("f64_5d_k2s1", (2, 2, 3, 5, 5), "f64", 2, 1, 0, "val"),
        ("f64_4d_neg_asym", (3, 2, 6, 5), "f64", (3, 2), (2, 2), (2, 0, 0, 1), "neg"),
        ("f16_5d_pos", (1, 2, 3, 6, 6), "f16", 2, None, 0, "pos"),
        ("i8_5d_k2p1", (1, 2, 2, 5, 5), "i8", 2, 2, 1, "neg"),
        ("u32_4d_k3", (2, 2, 6, 6), "u32", 3, 3, 0, "val"),
    ]
    for name, shape, dt, k, s, p, kind in max_cases:
        if kind == "cum":
            s5 = shape if len(shape) == 5 else (1,) + shape
            x = cumulative(rng, s5, dt).reshape(shape)
        elif kind == "neg":
            x = values(rng, shape, dt, -60, -1)
        elif kind == "pos":
            x = values(rng, shape, dt, 1, 40)
        else:
            x = values(rng, shape, dt)
        x = np.ascontiguousarray(x)
        y = spyker.pool(x, k, s, p)
        c = f"max_{name}"
        out[f"{c}__input"] = x
        out[f"{c}__kernel"] = e2(k)
        out[f"{c}__stride"] = e2(k if s is None else s)
        out[f"{c}__pad"] = e4(p)
        out[f"{c}__output"] = np.ascontiguousarray(y)

    # Signed zeros and NaNs: first of equal values in row-major order, NaN never wins.
    z = np.array([-0.0, 0.0, -1.0, 0.0, -0.0, -1.0, -1.0, -0.0, np.nan, 0.0, np.nan, -2.0,
                  np.nan, np.nan, np.nan, np.nan], dtype=np.float32).reshape(1, 1, 1, 4, 4)
    for name, k, s, p in [("k2", 2, None, 0), ("k2s1p1", 2, 1, 1), ("k3s1", 3, 1, 0)]:
        c = f"max_f32_zeros_nan_{name}"
        out[f"{c}__input"] = z
        out[f"{c}__kernel"] = e2(k)
        out[f"{c}__stride"] = e2(k if s is None else s)
        out[f"{c}__pad"] = e4(p)
        out[f"{c}__output"] = np.ascontiguousarray(spyker.pool(z, k, s, p))

    # ------------------------------------------------------------------ rate pooling
    # Rates are small integers (tie-heavy) so that the first-maximum rule matters.
    rate_cases = [
        ("u8_5d_k2", (2, 3, 2, 6, 6), "u8", 2, None),
        ("u8_5d_k3s1", (1, 4, 3, 7, 5), "u8", 3, 1),
        ("u8_4d_rect", (3, 2, 6, 8), "u8", (2, 3), (2, 1)),
        ("i16_5d_k3s2", (2, 2, 2, 7, 7), "i16", 3, 2),
        ("i32_5d_k2s1", (1, 3, 2, 5, 6), "i32", 2, 1),
        ("f32_5d_k2", (2, 3, 3, 6, 8), "f32", 2, None),
        ("f32_4d_k3s2", (4, 2, 7, 7), "f32", 3, 2),
        ("f64_5d_rect", (1, 2, 3, 6, 7), "f64", (3, 2), (1, 2)),
        ("f64_4d_k2s3", (2, 2, 8, 8), "f64", 2, 3),
        ("u16_5d_kfull", (1, 2, 2, 4, 5), "u16", (4, 5), None),
        ("i8_5d_neg", (1, 2, 2, 6, 6), "i8", 2, None),
    ]
    for name, shape, dt, k, s in rate_cases:
        s5 = shape if len(shape) == 5 else (1,) + shape
        x = cumulative(rng, s5, dt, 0.25)
        x = np.ascontiguousarray((x * rng.integers(1, 5, size=s5)).astype(NP[dt]).reshape(shape))
        rshape = (s5[0], s5[2], s5[3], s5[4])
        if name.endswith("neg"):
            rates = rng.integers(-3, 0, size=rshape).astype(NP[dt])
        else:
            # 1..3 so that every window has a rate above the type's lowest value.
            rates = rng.integers(1, 4, size=rshape).astype(NP[dt])
            if NP[dt] in (np.float32, np.float64):
                rates = rates / 2
                rates = rates.astype(NP[dt])
        y = spyker.pool(x, k, s, 0, rates)
        c = f"rate_{name}"
        out[f"{c}__input"] = x
        out[f"{c}__rates"] = np.ascontiguousarray(rates)
        out[f"{c}__kernel"] = e2(k)
        out[f"{c}__stride"] = e2(k if s is None else s)
        out[f"{c}__output"] = np.ascontiguousarray(y)

    # Rate pooling windows whose rates never beat lowest(R): the original reads plane index 0.
    fb = [("u8_zero", "u8", 0), ("i8_min", "i8", -128), ("f32_nan", "f32", np.nan)]
    for name, dt, fill in fb:
        x = (np.arange(2 * 2 * 1 * 4 * 6) % 50 + 1).astype(NP[dt]).reshape(2, 2, 1, 4, 6)
        rates = rng.integers(1, 4, size=(2, 1, 4, 6)).astype(NP[dt])
        rates[0, 0, 2:, 2:4] = fill  # one window of sample 0
        rates[1, 0, :, :] = fill  # every window of sample 1
        y = spyker.pool(x, 2, None, 0, rates)
        c = f"ratefb_{name}"
        out[f"{c}__input"] = x
        out[f"{c}__rates"] = rates
        out[f"{c}__kernel"] = e2(2)
        out[f"{c}__stride"] = e2(2)
        out[f"{c}__output"] = np.ascontiguousarray(y)

    # f16 max pooling floor: the original never returns less than 2^-14.
    x = np.array([0, 0, -1, -0.5, 0, 1e-5, 3, -2, -4, -3, 0.25, 0], dtype=np.float16)
    x = x.reshape(1, 1, 1, 3, 4)
    c = "f16floor_k1x2"
    out[f"{c}__input"] = x
    out[f"{c}__kernel"] = e2((1, 2))
    out[f"{c}__stride"] = e2((1, 2))
    out[f"{c}__pad"] = e4(0)
    out[f"{c}__output"] = np.ascontiguousarray(spyker.pool(x, (1, 2)))
    return out
