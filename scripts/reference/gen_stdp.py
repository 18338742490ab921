"""Dense STDP / R-STDP golden cases (spec §8.1-8.3): the kernel before and after
`Conv.stdp` / `FC.stdp`, given input spikes, output spikes and winners generated here (no conv
forward involved), with strides, asymmetric pads, c in {-1, 0, 1} (two configs), stabilize on/off,
bounds other than [0, 1], f16/f32/f64 kernels and several spike dtypes.

FC: `fc_cpu_*` is the original CPU behaviour (post time always 0). `fc_int_*` is the intended
rule (post = first spike of the winner), obtained from the same original arithmetic by calling
`FC.stdp` once per winner on the input shifted earlier by the post time (then "pre <= post" is
"pre' == 0", which is what the CPU build tests).

Winners are stored as int64 rows (b, c, t, z, y, x) after one sentinel row of -1; configs as
float64 rows (positive, negative, stabilize, lower, upper)."""
import numpy as np
import spyker

NP = {"u8": np.uint8, "i32": np.int32, "f16": np.float16, "f32": np.float32, "f64": np.float64}


def spikes(rng, shape, dt):
    b, t = shape[0], shape[1]
    times = rng.integers(0, t + 1, (b,) + tuple(shape[2:]))
    x = np.arange(t).reshape((1, t) + (1,) * (len(shape) - 2)) >= times[:, None]
    return x.astype(NP[dt])


def configs(rng):
    c0 = (0.004, -0.003, True, 0.0, 1.0)
    c1 = (float(rng.uniform(-0.2, 0.2)), float(rng.uniform(-0.2, 0.2)), bool(rng.integers(2)),
          float(rng.choice([0.0, 0.1, -0.5])), float(rng.choice([1.0, 0.9, 2.0])))
    return [c0, c1]


def config_array(cfgs):
    return np.array([[p, n, float(s), lo, up] for p, n, s, lo, up in cfgs], np.float64)


def winners_array(ws):
    rows = [[-1] * 6] + [[b, w.c, w.t, w.z, w.y, w.x] for b, lst in enumerate(ws) for w in lst]
    return np.array(rows, dtype=np.int64)


def kernel0(rng, shape, dt, cfgs):
    lo, up = min(c[3] for c in cfgs), max(c[4] for c in cfgs)
    k = rng.uniform(lo - 0.05, up + 0.05, shape)  # some weights start outside the bounds
    return k.astype(NP[dt])


def set_kernel(layer, k):
    spyker.copy_array(np.ascontiguousarray(k), layer.kernel)


def random_cases():
    rng = np.random.default_rng(11)
    out = {}
    kdts = ["f32"] * 4 + ["f64", "f16"]
    sdts = ["u8", "f32", "i32", "f64"]
    for i in range(36):
        kdt, sdt = kdts[i % len(kdts)], sdts[i % len(sdts)]
        b, t = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        c, h, w = int(rng.integers(1, 4)), int(rng.integers(3, 9)), int(rng.integers(3, 9))
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        sy, sx = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        pad = [int(p) for p in rng.integers(0, 3, 4)]
        o = int(rng.integers(1, 5))
        cfgs = configs(rng)
        conv = spyker.Conv(c, o, (kh, kw), (sy, sx), pad, dtype=kdt)
        k0 = kernel0(rng, (o, c, kh, kw), kdt, cfgs)
        set_kernel(conv, k0)
        conv.stdpconfig = [spyker.STDPConfig(*cf) for cf in cfgs]
        x = spikes(rng, (b, t, c, h, w), sdt)
        oh = (h + pad[0] + pad[2] - kh) // sy + 1
        ow = (w + pad[1] + pad[3] - kw) // sx + 1
        y = spikes(rng, (b, t, o, oh, ow), sdt)
        ws = []
        for _ in range(b):
            lst = []
            for _ in range(int(rng.integers(0, 6))):
                wn = spyker.Winner(int(rng.integers(-1, 2)), 0, int(rng.integers(0, o)))
                wn.y, wn.x = int(rng.integers(0, oh)), int(rng.integers(0, ow))
                lst.append(wn)
            ws.append(lst)
        if i == 5:
            # The same neuron twice in one sample and in the next: updated every time.
            wn = spyker.Winner(0, 0, 0)
            ws = [[wn, wn]] + [[wn] for _ in range(b - 1)]
        if i == 6:
            x = x[0]  # 4-D input and output: one sample
            y = y[0]
            ws = ws[:1]
        conv.stdp(x, ws, y)
        name = f"conv_{i:03d}"
        out[f"{name}__kernel0"] = k0
        out[f"{name}__input"] = np.ascontiguousarray(x)
        out[f"{name}__output"] = np.ascontiguousarray(y)
        out[f"{name}__winners"] = winners_array(ws)
        out[f"{name}__configs"] = config_array(cfgs)
        out[f"{name}__stride"] = np.array([sy, sx], np.int64)
        out[f"{name}__pad"] = np.array(pad, np.int64)
        out[f"{name}__kernel"] = spyker.to_numpy(conv.kernel).copy()

    for i in range(24):
        kdt, sdt = kdts[i % len(kdts)], sdts[i % len(sdts)]
        b, t = int(rng.integers(1, 4)), int(rng.integers(1, 6))
        n_in, n_out = int(rng.integers(1, 40)), int(rng.integers(1, 6))
        cfgs = configs(rng)
        k0 = kernel0(rng, (n_out, n_in), kdt, cfgs)
        x = spikes(rng, (b, t, n_in), sdt)
        y = spikes(rng, (b, t, n_out), sdt)
        ws = [[spyker.Winner(int(rng.integers(-1, 2)), 0, 0) for _ in range(int(rng.integers(0, 5)))]
              for _ in range(b)]
        for lst in ws:
            for wn in lst:
                wn.x = int(rng.integers(0, n_out))
        base = {"input": x, "output": y, "winners": winners_array(ws),
                "configs": config_array(cfgs), "kernel0": k0}
        # The original CPU behaviour (post = 0).
        fc = spyker.FC(n_in, n_out, dtype=kdt)
        set_kernel(fc, k0)
        fc.stdpconfig = [spyker.STDPConfig(*cf) for cf in cfgs]
        fc.stdp(x, ws, y)
        for k, v in base.items():
            out[f"fc_cpu_{i:03d}__{k}"] = np.ascontiguousarray(v)
        out[f"fc_cpu_{i:03d}__kernel"] = spyker.to_numpy(fc.kernel).copy()
        # The intended rule, one winner at a time on shifted inputs.
        fc = spyker.FC(n_in, n_out, dtype=kdt)
        set_kernel(fc, k0)
        fc.stdpconfig = [spyker.STDPConfig(*cf) for cf in cfgs]
        for bi, lst in enumerate(ws):
            for wn in lst:
                if wn.c < 0:
                    continue
                fired = np.nonzero(y[bi, :, wn.x])[0]
                post = int(fired[0]) if fired.size else t
                if post >= t:
                    xs = np.ones((1, t, n_in), x.dtype)
                else:
                    idx = np.minimum(np.arange(t) + post, t - 1)
                    xs = np.ascontiguousarray(x[bi:bi + 1, idx])
                one = spyker.Winner(wn.c, 0, 0)
                one.x = wn.x
                fc.stdp(xs, [[one]], np.zeros((1, t, n_out), x.dtype))
        for k, v in base.items():
            out[f"fc_int_{i:03d}__{k}"] = np.ascontiguousarray(v)
        out[f"fc_int_{i:03d}__kernel"] = spyker.to_numpy(fc.kernel).copy()
    return out


def rezghi_replay():
    """The STDP steps of Rezghi layer-1 training on 64 digits (4 batches of 16): conv, inhibit
    and convwta run in the original; stored are the input first-spike times, the winners and
    their post-synaptic first-spike times (STDP reads the output only there), the initial and the
    final kernel."""
    import gen_train

    imgs = gen_train.images(64)
    spyker.random_seed(0)
    conv = spyker.Conv(6, 100, 5, pad=2, mean=0.5, std=0.02)
    conv.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    out = {"rezghi__kernel0": spyker.to_numpy(conv.kernel).copy()}
    log = spyker.LoG(3, [0.471404521, 1.099943882, 2.042752923], pad=3)
    times, rows = [], [[-1] * 8]
    for bi, i in enumerate(range(0, 64, 16)):
        b = imgs[i:i + 16].astype(np.float32) / 255.0
        x = spyker.code(spyker.threshold(log(b), 0.01), 15)
        pot = conv(x)
        o = spyker.inhibit(spyker.threshold(pot, 16))
        ws = spyker.convwta(o, 3, 5)
        y = spyker.fire(o)
        times.append(np.where(x.any(1), x.argmax(1), 15).astype(np.uint8))
        for s, lst in enumerate(ws):
            for w in lst:
                col = y[s, :, w.z, w.y, w.x]
                post = int(np.argmax(col)) if col.any() else 15
                rows.append([bi, s, w.c, w.t, w.z, w.y, w.x, post])
        conv.stdp(x, ws, y)
    out["rezghi__in_times"] = np.stack(times)
    out["rezghi__winners"] = np.array(rows, np.int64)
    out["rezghi__kernel"] = spyker.to_numpy(conv.kernel).copy()
    return out


def generate():
    out = random_cases()
    out.update(rezghi_replay())
    return out
