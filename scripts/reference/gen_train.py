"""End-to-end golden case: layer 1 of the Rezghi network trained by STDP on 256 bundled digits
(LoG -> rank code T=15 -> Conv 6->100 5x5 pad 2 -> threshold 16 -> inhibit -> convwta(3, 5) ->
STDP), from the kernel drawn after random_seed(0). Also records the batch-0 intermediate results
so the Rust test can localise a divergence."""
import gzip
import pathlib

import numpy as np
import spyker

DATA = pathlib.Path(__file__).resolve().parents[2] / "data" / "mnist10k"
FALLBACK = pathlib.Path("/work/shared/data/mnist10k")


def images(n):
    d = DATA if (DATA / "train-images-idx3-ubyte.gz").exists() else FALLBACK
    raw = gzip.decompress((d / "train-images-idx3-ubyte.gz").read_bytes())
    return np.frombuffer(raw[16:16 + n * 784], np.uint8).reshape(n, 1, 28, 28).copy()


def winners_array(ws):
    rows = [[b, w.c, w.t, w.z, w.y, w.x] for b, lst in enumerate(ws) for w in lst]
    return np.array(rows, dtype=np.int64).reshape(-1, 6)


def generate():
    out = {}
    imgs = images(256)
    out["rezghi1__images"] = imgs
    spyker.random_seed(0)
    conv = spyker.Conv(6, 100, 5, pad=2, mean=0.5, std=0.02)
    conv.stdpconfig = [spyker.STDPConfig(0.0004, -0.0003)]
    out["rezghi1__kernel0"] = spyker.to_numpy(conv.kernel).copy()
    log = spyker.LoG(3, [0.471404521, 1.099943882, 2.042752923], pad=3)
    for i in range(0, 256, 64):
        b = imgs[i:i + 64].astype(np.float32) / 255.0
        x = spyker.code(spyker.threshold(log(b), 0.01), 15)
        pot = conv(x)
        o = spyker.inhibit(spyker.threshold(pot, 16))
        w = spyker.convwta(o, 3, 5)
        if i == 0:
            out["rezghi1__b0_spikes"] = np.ascontiguousarray(x[:8])
            out["rezghi1__b0_winners"] = winners_array(w)
        conv.stdp(x, w, spyker.fire(o))
    out["rezghi1__kernel_final"] = spyker.to_numpy(conv.kernel).copy()
    return out
