"""Winner-take-all golden cases (spec §7): fcwta and convwta winner lists for float potentials
(f16/f32/f64, monotone and non-monotone), integer spike trains (ties), constant samples (the
NaN path: exactly one winner) and the f16 sentinel quirk.

Winners are stored as int64 rows (b, c, t, z, y, x) after one sentinel row of -1."""
import numpy as np
import spyker

NP = {"u8": np.uint8, "i32": np.int32, "i64": np.int64, "u16": np.uint16,
      "f16": np.float16, "f32": np.float32, "f64": np.float64}


def winners_array(ws):
    rows = [[-1] * 6] + [[b, w.c, w.t, w.z, w.y, w.x] for b, lst in enumerate(ws) for w in lst]
    return np.array(rows, dtype=np.int64)


def potentials(rng, shape, dt, monotone):
    """Float potentials [B,T,...]: cumulative sums of non-negative steps (monotone) or noise,
    quantised to multiples of 1/8 so ties happen."""
    if monotone:
        x = np.cumsum(rng.integers(0, 4, shape), axis=1) / 8.0
    else:
        x = rng.integers(-8, 24, shape) / 8.0
    return x.astype(NP[dt])


def spikes(rng, shape, dt):
    """Cumulative 0/1 spike trains [B,T,...] with random first-spike times (T = never)."""
    b, t = shape[0], shape[1]
    times = rng.integers(0, t + 1, (b,) + tuple(shape[2:]))
    x = (np.arange(t).reshape((1, t) + (1,) * (len(shape) - 2)) >= times[:, None])
    return x.astype(NP[dt])


def generate():
    rng = np.random.default_rng(7)
    out = {}

    def fc_case(name, x, radius, count, thr):
        out[f"{name}__input"] = np.ascontiguousarray(x)
        out[f"{name}__radius"] = np.array([radius], np.int64)
        out[f"{name}__count"] = np.array([count], np.int64)
        out[f"{name}__threshold"] = np.array([thr], np.float64)
        out[f"{name}__winners"] = winners_array(spyker.fcwta(x, radius, count, thr))

    def conv_case(name, x, radius, count, thr):
        out[f"{name}__input"] = np.ascontiguousarray(x)
        out[f"{name}__radius"] = np.array(radius, np.int64)
        out[f"{name}__count"] = np.array([count], np.int64)
        out[f"{name}__threshold"] = np.array([thr], np.float64)
        out[f"{name}__winners"] = winners_array(spyker.convwta(x, list(radius), count, thr))

    k = 0
    for dt in ["f32", "f64", "f16", "u8", "i32"]:
        for rep in range(8):
            b, t, n = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 30))
            if dt.startswith("f"):
                x = potentials(rng, (b, t, n), dt, monotone=rep % 2 == 0)
                thr = float(rng.choice([0.0, 0.5, 1.0, -0.5]))
            else:
                x = spikes(rng, (b, t, n), dt)
                thr = float(rng.choice([0.0, 0.5, 3.0]))  # ignored for integers
            radius, count = int(rng.integers(0, 4)), int(rng.integers(1, 8))
            if rep == 7:
                x = x[0]  # 2-D input: one sample
            fc_case(f"fcwta_{k:03d}", x, radius, count, thr)
            k += 1
    for dt in ["f32", "f64", "f16", "u8", "i64"]:
        for rep in range(8):
            b, t = int(rng.integers(1, 3)), int(rng.integers(1, 5))
            c, h, w = int(rng.integers(1, 5)), int(rng.integers(1, 8)), int(rng.integers(1, 8))
            if dt.startswith("f"):
                x = potentials(rng, (b, t, c, h, w), dt, monotone=rep % 2 == 0)
                thr = float(rng.choice([0.0, 0.5, 1.0]))
            else:
                x = spikes(rng, (b, t, c, h, w), dt)
                thr = 0.0
            radius = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
            count = int(rng.integers(1, 7))
            if rep == 7:
                x = x[0]  # 4-D input: one sample
            conv_case(f"convwta_{k:03d}", x, radius, count, thr)
            k += 1

    # Constant sample above threshold: every score is NaN -> exactly one winner, neuron 0.
    fc_case("fcwta_const", np.ones((2, 3, 5), np.float32), 1, 4, 0.0)
    conv_case("convwta_const", np.full((1, 2, 3, 4, 4), 2.0, np.float32), (1, 1), 4, 0.0)
    # f16 sentinel is +2^-14: a score of 0 ranks below silent neurons.
    fc_case("fcwta_f16low", np.array([[[1, 2, 3]]], np.float16), 0, 3, 0.0)
    fc_case("fcwta_f16low2", np.array([[[3, 2, 1]]], np.float16), 0, 3, 0.0)
    # Nothing above threshold: no winners at all.
    fc_case("fcwta_silent", np.zeros((2, 3, 4), np.float32), 0, 3, 0.5)
    conv_case("convwta_silent", np.zeros((1, 2, 2, 3, 3), np.uint8), (0, 0), 3, 0.0)
    # A larger conv case like the Rezghi layer: 100 maps, radius 3, count 5, spikes.
    conv_case("convwta_large", spikes(rng, (4, 15, 100, 14, 14), "u8"), (3, 3), 5, 0.0)
    pot = potentials(rng, (2, 6, 20, 10, 10), "f32", monotone=True)
    conv_case("convwta_largef", pot, (2, 1), 8, 2.0)
    return out
