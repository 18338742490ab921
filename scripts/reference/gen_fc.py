"""Golden cases of `fc` (spec 6.2): exact cases (spike inputs, kernels that are multiples of 1/64)
with and without `sign`, and general float cases (compared with a tolerance)."""
import numpy as np
import spyker

NP = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f16": np.float16,
      "f32": np.float32, "f64": np.float64}


def spikes(rng, shape, p=0.3):
    first = rng.random(shape) < p
    return np.cumsum(first, axis=1).clip(0, 1).astype(np.uint8)


def dyadic(rng, shape, dtype=np.float32):
    k = rng.integers(-64, 65, shape) / 64.0
    k[rng.random(shape) < 0.1] = 0.0  # zeros matter for sign=True
    return k.astype(dtype)


def case(out, name, x, k, sign):
    out[f"{name}__input"] = np.ascontiguousarray(x)
    out[f"{name}__kernel"] = np.ascontiguousarray(k)
    out[f"{name}__sign"] = np.array([int(sign)], np.int64)
    out[f"{name}__output"] = np.ascontiguousarray(spyker.fc(x, k, sign=sign))


def generate():
    rng = np.random.default_rng(20240602)
    out = {}
    for sign in (False, True):
        s = "sign" if sign else "plain"
        case(out, f"exact_{s}", spikes(rng, (3, 4, 20)), dyadic(rng, (7, 20)), sign)
        case(out, f"exact_{s}_rank2", spikes(rng, (1, 5, 13))[0], dyadic(rng, (4, 13)), sign)
        # More than one 64-row block (B*T = 150 rows).
        case(out, f"exact_{s}_rows", spikes(rng, (3, 50, 33)), dyadic(rng, (10, 33)), sign)
        case(out, f"exact_{s}_f64", spikes(rng, (2, 3, 17)), dyadic(rng, (5, 17), np.float64), sign)
    for d, t in NP.items():
        case(out, f"exact_dtype_{d}", spikes(rng, (2, 3, 11)).astype(t), dyadic(rng, (6, 11)), False)
    x = rng.integers(0, 256, (2, 3, 40)).astype(np.uint8)
    case(out, "exact_int_values", x, dyadic(rng, (9, 40)), False)
    x = np.zeros((1, 2, 8), np.uint8)
    case(out, "exact_signed_zero", x, -np.abs(dyadic(rng, (3, 8))) - 1 / 64, False)
    # Tolerance: general floats, f32 and f64, with and without sign.
    for sign in (False, True):
        s = "sign" if sign else "plain"
        x = rng.standard_normal((2, 5, 37)).astype(np.float32)
        case(out, f"float_{s}_f32", x, rng.standard_normal((8, 37)).astype(np.float32), sign)
        x = rng.standard_normal((3, 4, 29))
        case(out, f"float_{s}_f64", x, rng.standard_normal((6, 29)), sign)
    # A layer with the library's initialisation (FC(100, 10) as in the examples).
    spyker.random_seed(11)
    f = spyker.FC(100, 10)
    x = spikes(rng, (4, 15, 100), 0.1)
    case(out, "float_layer", x, np.array(f.kernel, copy=True), False)
    return out
