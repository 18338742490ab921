"""Golden cases of `conv` (spec 6.1): exact cases (spike or small-integer inputs, kernels that are
multiples of 1/64, so every partial sum is exact in f32) and general float cases (compared with a
tolerance, since the summation order is oneDNN's)."""
import numpy as np
import spyker

NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}


def spikes(rng, shape, p=0.35):
    """Cumulative 0/1 spike trains [B,T,...] (a neuron stays on once it fired)."""
    first = rng.random(shape) < p
    return np.cumsum(first, axis=1).clip(0, 1).astype(np.uint8)


def dyadic(rng, shape, lo=-64, hi=64):
    return (rng.integers(lo, hi + 1, shape) / 64.0).astype(np.float32)


def case(out, name, x, k, stride, pad):
    out[f"{name}__input"] = np.ascontiguousarray(x)
    out[f"{name}__kernel"] = np.ascontiguousarray(k)
    s = [stride] if np.isscalar(stride) else list(stride)
    p = [pad] if np.isscalar(pad) else list(pad)
    out[f"{name}__stride"] = np.array(s, np.int64)
    out[f"{name}__pad"] = np.array(p, np.int64)
    out[f"{name}__output"] = np.ascontiguousarray(spyker.conv(x, k, stride=stride, pad=pad))


def generate():
    rng = np.random.default_rng(20240601)
    out = {}
    # Exact: spikes and dyadic kernels over strides and (asymmetric) pads.
    geoms = [
        ("s1p0", 1, 0), ("s1p1", 1, 1), ("s2p0", 2, 0), ("s2p1", 2, 1),
        ("s21p1234", (2, 1), (1, 2, 3, 4)), ("s13p0101", (1, 3), (0, 1, 0, 1)),
        ("s3p2", 3, 2), ("s1p41", 1, (4, 1)), ("s2p3012", 2, (3, 0, 1, 2)),
    ]
    for i, (g, s, p) in enumerate(geoms):
        x = spikes(rng, (2, 3, 2, 9, 8))
        kh, kw = [(3, 3), (2, 4), (5, 3), (1, 1), (3, 2), (4, 4), (5, 5), (2, 2), (3, 5)][i]
        k = dyadic(rng, (4, 2, kh, kw))
        case(out, f"exact_{g}", x, k, s, p)
    # Exact: a 4-D input [T,C,H,W] (read as B = 1, output 5-D).
    case(out, "exact_rank4", spikes(rng, (1, 4, 3, 7, 7))[0], dyadic(rng, (5, 3, 3, 3)), 1, 1)
    # Exact: every input dtype (converted to f32 before the convolution).
    for d, t in NP.items():
        x = spikes(rng, (1, 2, 3, 6, 7)).astype(t)
        case(out, f"exact_dtype_{d}", x, dyadic(rng, (3, 3, 3, 3)), 1, (1, 0, 2, 1))
    # Exact: small integer inputs (values up to 255, partial sums stay below 2^24 / 64).
    x = rng.integers(0, 256, (1, 2, 2, 8, 8)).astype(np.uint8)
    case(out, "exact_int_values", x, dyadic(rng, (3, 2, 3, 3)), 1, 1)
    # Exact: negative weights on silent inputs give +0.0, never -0.0.
    x = np.zeros((1, 2, 1, 5, 5), np.uint8)
    x[0, 1, 0, 2, 2] = 1
    case(out, "exact_signed_zero", x, -np.abs(dyadic(rng, (2, 1, 3, 3), 1, 64)), 1, 1)
    # Exact: kernel as large as the padded input (1x1 output).
    case(out, "exact_full_window", spikes(rng, (2, 2, 2, 4, 5)), dyadic(rng, (3, 2, 6, 5)), 1, (1, 0, 1, 0))
    # Tolerance: general float inputs and kernels.
    x = rng.standard_normal((2, 3, 3, 10, 11)).astype(np.float32)
    case(out, "float_normal", x, rng.standard_normal((6, 3, 3, 3)).astype(np.float32), 1, 1)
    x = rng.random((1, 2, 4, 12, 9)).astype(np.float32)
    case(out, "float_stride_pad", x, rng.random((5, 4, 4, 3)).astype(np.float32), (2, 3), (2, 1, 0, 3))
    # Tolerance: a Rezghi-like layer-1 slice (6 -> 100 channels, 5x5, pad 2) with the library's
    # initialisation N(0.5, 0.02) and rank-coded spikes.
    spyker.random_seed(7)
    c = spyker.Conv(6, 16, 5, pad=2)
    k = np.array(c.kernel, copy=True)
    x = spikes(rng, (1, 3, 6, 16, 16), 0.2)
    case(out, "float_rezghi", x, k, 1, 2)
    out["float_rezghi__layer"] = np.ascontiguousarray(c(x))
    return out
