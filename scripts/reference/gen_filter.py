"""Filter-family golden cases: DoG / Gabor / LoG kernels and outputs, ZCA fit / apply / split,
and canny (through the F32-pointer trick of spec 2.6, the only way the original computes it)."""
import numpy as np
import spyker
from spyker import utils

impl = spyker.spyker_plugin
NP = {"u8": np.uint8, "i16": np.int16, "i32": np.int32, "f32": np.float32, "f64": np.float64}

DOG = [  # (size, [(std1, std2), ...])
    (1, [(1.0, 2.0)]),
    (2, [(1.0, 2.0), (2.0, 1.0)]),
    (3, [(0.7, 1.3), (2.5, 1.1), (1.0, 3.0)]),
]
GABOR = [  # (size, [(sigma, theta_deg, gamma, lambda, psi), ...])
    (2, [(2.0, 45.0, 0.5, 3.0, 0.0)]),
    (3, [(1.5, 30.0, 0.7, 4.0, 0.3), (3.0, 120.0, 1.0, 5.0, 1.0), (2.2, 77.0, 0.3, 2.5, -0.4)]),
    (2, [(2.0, 0.0, 0.5, 3.0, 0.0), (2.0, 90.0, 0.5, 3.0, 0.0)]),
]
LOG = [  # (size, [std, ...])
    (1, [1.0]),
    (2, [1.0, 2.0]),
    (3, [0.8, 1.6, 2.4]),
]
PADS = [[0], [1, 2], [1, 2, 3, 4]]


def s(v, dt=np.float64):
    return np.array([v], dtype=dt)


def inputs(rng):
    """(name, array) inputs of several ranks and dtypes, values integer-valued or dyadic."""
    return [
        ("u8_3d", rng.integers(0, 256, size=(2, 9, 10)).astype(np.uint8)),
        ("f32_4d", (rng.integers(-64, 64, size=(2, 2, 8, 9)) / 8.0).astype(np.float32)),
        ("f64_4d", rng.random((1, 3, 7, 7))),
        ("i16_4d", rng.integers(-300, 300, size=(2, 1, 8, 8)).astype(np.int16)),
    ]


def filters(out):
    rng = np.random.default_rng(1)
    ins = inputs(rng)
    for n, (size, fs) in enumerate(DOG):
        case = f"dog{n}"
        out[f"{case}__size"] = s(size)
        out[f"{case}__std"] = np.array(fs, dtype=np.float64)
        m = spyker.DoG(size, [spyker.DoGFilter(a, b) for a, b in fs], dtype="f64")
        out[f"{case}__kernel_f64"] = np.asarray(m.kernel).copy()
        m32 = spyker.DoG(size, [spyker.DoGFilter(a, b) for a, b in fs], dtype="f32")
        out[f"{case}__kernel_f32"] = np.asarray(m32.kernel).copy()
    for n, (size, fs) in enumerate(GABOR):
        case = f"gabor{n}"
        out[f"{case}__size"] = s(size)
        out[f"{case}__params"] = np.array(fs, dtype=np.float64)
        mk = lambda dt: spyker.Gabor(size, [spyker.GaborFilter(*p) for p in fs], dtype=dt)
        out[f"{case}__kernel_f64"] = np.asarray(mk("f64").kernel).copy()
        out[f"{case}__kernel_f32"] = np.asarray(mk("f32").kernel).copy()
    for n, (size, fs) in enumerate(LOG):
        case = f"log{n}"
        out[f"{case}__size"] = s(size)
        out[f"{case}__std"] = np.array(fs, dtype=np.float64)
        out[f"{case}__kernel_f64"] = np.asarray(spyker.LoG(size, fs, dtype="f64").kernel).copy()
        out[f"{case}__kernel_f32"] = np.asarray(spyker.LoG(size, fs, dtype="f32").kernel).copy()
    # Outputs (the original runs F32 kernels only).
    for name, x in ins:
        out[f"in_{name}__x"] = x
    for fam, table in (("dog", DOG), ("gabor", GABOR), ("log", LOG)):
        for n, (size, fs) in enumerate(table):
            for p, pad in enumerate(PADS):
                for name, x in ins:
                    if fam == "dog":
                        mm = spyker.DoG(size, [spyker.DoGFilter(a, b) for a, b in fs], pad=pad)
                    elif fam == "gabor":
                        mm = spyker.Gabor(size, [spyker.GaborFilter(*q) for q in fs], pad=pad)
                    else:
                        mm = spyker.LoG(size, fs, pad=pad)
                    try:
                        y = mm(x)
                    except Exception:
                        continue  # kernel larger than the padded input
                    key = f"out_{fam}{n}_p{p}_{name}"
                    out[f"{key}__pad"] = np.array(pad, dtype=np.int64)
                    out[f"{key}__y"] = np.asarray(y).copy()


def zca(out):
    rng = np.random.default_rng(2)
    for n, (shape, eps) in enumerate([((200, 12), 1e-2), ((150, 2, 3, 3), 1e-1), ((60, 5), 1e-3)]):
        case = f"zca{n}"
        mix = rng.normal(size=(int(np.prod(shape[1:])),) * 2)
        x = (rng.normal(size=(shape[0], mix.shape[0])) @ mix + rng.normal(size=mix.shape[0]))
        x = x.reshape(shape).astype(np.float32)
        out[f"{case}__x"] = x.copy()
        out[f"{case}__eps"] = s(eps)
        z = spyker.ZCA()
        y = x.copy()
        z.fit(y, eps, transform=True)
        out[f"{case}__mean"] = np.asarray(z.mean).copy()
        out[f"{case}__transform"] = np.asarray(z.transform).copy()
        out[f"{case}__fit_transformed"] = y
        x2 = rng.normal(size=shape).astype(np.float32)
        out[f"{case}__x2"] = x2
        out[f"{case}__applied"] = z(x2, inplace=False)
    for dt in ["f32", "f64", "i16", "u8"]:
        if dt == "u8":
            x = rng.integers(0, 256, size=(3, 7)).astype(np.uint8)
        elif dt == "i16":
            x = rng.integers(-500, 500, size=(2, 3, 4)).astype(np.int16)
        else:
            x = rng.normal(size=(4, 5)).astype(NP[dt])
            x[0, 0] = 0.0
        out[f"split_{dt}__x"] = x
        out[f"split_{dt}__y"] = np.asarray(spyker.ZCA.split(x)).copy()
    x = np.array([3.0, -1.0, 0.0, 2.5], dtype=np.float32)
    out["split_1d__x"] = x
    out["split_1d__y"] = np.asarray(spyker.ZCA.split(x)).copy()


def canny_trick(x, low, high):
    x = np.ascontiguousarray(x, dtype=np.float32)
    t = impl.tensor(x.ctypes.data, spyker.device("cpu"), "u8", list(x.shape), False, False)
    return np.asarray(spyker.canny(t, low, high)).copy()


def blur(a):
    k = np.array([1, 4, 6, 4, 1], dtype=np.float64) / 16
    for ax in (-1, -2):
        a = np.apply_along_axis(lambda r: np.convolve(r, k, mode="same"), ax, a)
    return a


def canny(out):
    rng = np.random.default_rng(3)
    sq = np.zeros((1, 1, 16, 16), np.float32)
    sq[0, 0, 4:12, 4:12] = 200
    two = np.zeros((1, 1, 20, 20), np.float32)
    two[0, 0, 3:9, 3:9] = 250
    two[0, 0, 9:16, 9:17] = 60
    smooth = np.ascontiguousarray(blur(rng.random((2, 3, 18, 21))) * 255, dtype=np.float32)
    ramp = np.tile(np.arange(14, dtype=np.float32) * 10, (1, 1, 12, 1))
    const = np.full((1, 1, 9, 9), 7.0, np.float32)
    circle = np.zeros((1, 1, 24, 24), np.float32)
    yy, xx = np.mgrid[:24, :24]
    circle[0, 0][(yy - 11.5) ** 2 + (xx - 12.2) ** 2 < 49] = 180
    # A vertical step whose contrast grows along the edge: a long chain of weak pixels attached to
    # a short strong end (tests hysteresis linking beyond one pixel).
    linked = np.zeros((1, 1, 24, 16), np.float32)
    linked[0, 0, :, 8:] = np.linspace(20, 240, 24, dtype=np.float32)[:, None]
    images = [("linked", linked), ("square", sq), ("two", two), ("smooth", smooth), ("ramp", ramp),
              ("const", const), ("circle", circle)]
    for name, img in images:
        for low, high in [(50, 100), (20, 200), (1, 1)]:
            case = f"canny_{name}_{low}_{high}"
            out[f"{case}__x"] = np.ascontiguousarray(img)
            out[f"{case}__low"] = s(low)
            out[f"{case}__high"] = s(high)
            out[f"{case}__y"] = canny_trick(img, low, high)


def generate():
    out = {}
    filters(out)
    zca(out)
    canny(out)
    return out
