"""Golden cases of `backward` (temporal error, spec §8.5), `labelize` (§8.7) and `FC.backward`
with BPConfig (§8.6)."""
import numpy as np
import spyker

NP = {"u8": np.uint8, "i8": np.int8, "u16": np.uint16, "i32": np.int32, "u32": np.uint32,
      "i64": np.int64, "f16": np.float16, "f32": np.float32, "f64": np.float64}


def generate():
    rng = np.random.default_rng(5)
    out = {}
    # backward: first-spike-time-like rows (integers in 0..time), several dtypes.
    dts = ["f32", "f64", "f16", "i64", "i32", "u8", "i8", "u16", "u32"]
    for i in range(36):
        dt = dts[i % len(dts)]
        b, n = int(rng.integers(1, 6)), int(rng.integers(1, 12))
        time = int(rng.integers(1, 20))
        x = rng.integers(0, time + 1, (b, n))
        if i % 4 == 3:
            x[0] = time  # nothing fired in row 0
        if dt.startswith("f") and i % 2 == 0:
            x = x + rng.integers(0, 4, (b, n)) / 4.0
        x = x.astype(NP[dt])
        target = rng.integers(0, n, b).astype(np.int64)
        gamma = float(rng.choice([0.0, 1.0, 2.5, 3.0, 7.0]))
        name = f"backward_{i:03d}"
        out[f"{name}__input"] = x
        out[f"{name}__target"] = target
        out[f"{name}__time"] = np.array([time], np.int64)
        out[f"{name}__gamma"] = np.array([gamma], np.float64)
        out[f"{name}__output"] = spyker.backward(x, target, time, gamma)
    # The spec example.
    x = np.array([[3, 5, 7, 10]], np.float32)
    out["backward_example__input"] = x
    out["backward_example__target"] = np.array([2], np.int64)
    out["backward_example__time"] = np.array([10], np.int64)
    out["backward_example__gamma"] = np.array([3.0])
    out["backward_example__output"] = spyker.backward(x, np.array([2], np.int64), 10, 3.0)

    # labelize: cumulative potentials / spikes, some samples silent.
    ldts = ["f32", "f64", "f16", "u8", "i32", "i64"]
    for i in range(24):
        dt = ldts[i % len(ldts)]
        b, t, n = int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 10))
        if dt.startswith("f"):
            x = np.cumsum(rng.integers(-1, 4, (b, t, n)), axis=1) / 4.0
            thr = float(rng.choice([0.0, 0.5, 1.0, 2.0]))
        else:
            x = np.cumsum(rng.integers(0, 2, (b, t, n)), axis=1)
            thr = float(rng.choice([0.0, 1.0, 2.0]))
        if i % 3 == 0:
            x[0] = np.minimum(x[0], thr)  # sample 0 never crosses: fall back to the last step
        x = np.ascontiguousarray(x.astype(NP[dt]))
        name = f"labelize_{i:03d}"
        out[f"{name}__input"] = x
        out[f"{name}__threshold"] = np.array([thr])
        out[f"{name}__output"] = spyker.labelize(x, thr)

    # FC.backward: f32 kernel; input/output spike times and a grad, one dtype.
    for i in range(12):
        b, n_in, n_out = int(rng.integers(1, 5)), int(rng.integers(1, 50)), int(rng.integers(1, 12))
        time = 15
        dt = ["f32", "f64"][i % 2] if i < 10 else "f32"
        fc = spyker.FC(n_in, n_out)
        k0 = rng.normal(0.0, 0.5, (n_out, n_in)).astype(np.float32)
        k0[rng.random(k0.shape) < 0.1] = 0.0
        spyker.copy_array(k0, fc.kernel)
        cfg = (float(rng.uniform(0.5, 2)), float(rng.uniform(0.001, 0.1)),
               float(rng.uniform(0.1, 1)), float(rng.choice([0.0, 1e-3, 0.05])))
        fc.bpconfig = spyker.BPConfig(*cfg)
        x = rng.integers(0, time + 1, (b, n_in)).astype(NP[dt])
        y = rng.integers(0, time + 1, (b, n_out)).astype(NP[dt])
        target = rng.integers(0, n_out, b).astype(np.int64)
        g = spyker.backward(y, target, time, 2.0)
        nxt = fc.backward(x, y, g)
        name = f"fcback_{i:03d}"
        out[f"{name}__kernel0"] = k0
        out[f"{name}__config"] = np.array(cfg, np.float32)
        out[f"{name}__input"] = x
        out[f"{name}__output"] = y
        out[f"{name}__grad"] = np.ascontiguousarray(g)
        out[f"{name}__next"] = np.ascontiguousarray(nxt)
        out[f"{name}__kernel"] = spyker.to_numpy(fc.kernel).copy()
        out[f"{name}__sfactor"] = np.array([fc.bpconfig.sfactor], np.float32)
    return out
