"""Helper golden cases (spec §10): MNIST reading, image channel conversions and files written by
the original (stb) writers, CSV splitting quirk."""
import gzip
import os
import pathlib
import tempfile

import numpy as np
import spyker
from spyker import utils

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
MNIST = ROOT / "data" / "mnist10k"
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte"]
MODES = ["", "Y", "YA", "RGB", "RGBA"]


def b(s):
    return np.frombuffer(s.encode() if isinstance(s, str) else s, dtype=np.uint8).copy()


def mnist(out, tmp):
    # The original has no gzip support: decompress the committed .gz files first.
    paths = []
    for f in FILES:
        p = os.path.join(tmp, f)
        with gzip.open(MNIST / f"{f}.gz", "rb") as src, open(p, "wb") as dst:
            dst.write(src.read())
        paths.append(p)
    trx, try_, tex, tey = (utils.to_numpy(t) for t in spyker.read_mnist(*paths))
    out["mnist__train_shape"] = np.array(trx.shape, dtype=np.int64)
    out["mnist__test_shape"] = np.array(tex.shape, dtype=np.int64)
    out["mnist__train_first"] = np.ascontiguousarray(trx[:3])
    out["mnist__test_last"] = np.ascontiguousarray(tex[-3:])
    out["mnist__train_labels"] = try_
    out["mnist__test_labels"] = tey
    out["mnist__train_sums"] = trx.reshape(len(trx), -1).sum(1).astype(np.int32)
    out["mnist__test_sums"] = tex.reshape(len(tex), -1).sum(1).astype(np.int32)


def images(out, tmp):
    rng = np.random.default_rng(7)
    for c in [1, 2, 3, 4]:
        a = rng.integers(0, 256, (c, 5, 7), dtype=np.uint8)
        # Corner values that exercise the grey formula's extremes.
        a[:, 0, 0] = 255
        a[:, 0, 1] = 0
        if c >= 3:
            a[:3, 0, 2] = [255, 128, 0]
        out[f"img{c}__input"] = a
        for fmt in ["PNG", "BMP", "TGA", "JPG"]:
            p = os.path.join(tmp, f"img{c}.{fmt.lower()}")
            assert utils.write_image(a, p, fmt)
            with open(p, "rb") as f:
                out[f"img{c}__file_{fmt}"] = b(f.read())
            for m in MODES:
                r = utils.to_numpy(utils.read_image(p, m))
                out[f"img{c}__{fmt}_mode_{m or 'native'}"] = r
    # Square resizes (the original swaps width/height, which only square images survive).
    a = rng.integers(0, 256, (3, 6, 6), dtype=np.uint8)
    out["resize__input"] = a
    p = os.path.join(tmp, "sq.png")
    utils.write_image(a, p, "PNG")
    for s in [4, 9, 12]:
        out[f"resize__to{s}"] = utils.to_numpy(utils.read_image(p, "", (s, s)))


def csv(out, tmp):
    cases = [("a, b,c, d", ", "), ("a, b,c, d", ","), ("a,b,", ","), (",a,,b", ","),
             ("abc", ","), ("a::b::c", "::"), ("a::b:::c", "::"), ("x;y\r", ";"), ("  ", ","),
             ("a, b, c", ", "), ("1.5, 2, -3", ", ")]
    p = os.path.join(tmp, "t.csv")
    for i, (line, d) in enumerate(cases):
        with open(p, "w", newline="") as f:
            f.write("\n\n" + line + "\nsecond\n")
        flag, fields = utils.read_csv(p, d)
        assert flag == "\x01"
        out[f"csv{i}__line"] = b(line)
        out[f"csv{i}__delim"] = b(d)
        # Fields joined by \x1f and terminated by \x1e (never empty).
        out[f"csv{i}__fields"] = b("\x1f".join(fields) + "\x1e")


def generate():
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        mnist(out, tmp)
        images(out, tmp)
        csv(out, tmp)
    return out
