#!/usr/bin/env python3
"""The Rezghi forward pass written with PyTorch ops, as the reference for the GPU benchmark
(issue 8; Rust side: examples/gpu_bench.rs). Same chain, shapes and thresholds:

    LoG (3 stds, 7x7, pad 3, on/off) -> threshold 0.01 -> rank code (T frames, sort)
    -> conv1 6->100 5x5 pad 2 -> fire 16 -> max pool 2 -> conv2 100->200 3x3 pad 1 -> fire 5
    -> max pool 3 -> gather (first spike time, T = never)

on the bundled MNIST test digits scaled to [0, 1], batch 256, T = 15, f32 tensors, the frames
of all time steps stacked along the batch axis (conv2d/max_pool2d on [B*T, C, H, W]). The images
are uploaded once before timing; the timed loop runs between two torch.cuda.synchronize() calls.

Usage: torch_rezghi.py [--device cuda|cpu] [--batch 256] [--time 15] [--iters 20] [--warmup 3]
                       [--seed 0] [--data DIR|FILE] [--no-tf32] [--no-cudnn-benchmark]
                       [--weights DIR]

PyTorch's own defaults apply unless told otherwise: TF32 convolutions on Ampere and newer
(torch.backends.cudnn.allow_tf32) and, here, cudnn.benchmark on (autotuned algorithms), i.e. the
fastest ordinary setting; --no-tf32 gives strict f32 arithmetic like the Rust side.
--weights DIR loads the kernels gpu_bench wrote with --dump DIR and compares this chain's first
batch with gpu_bench's (differing first-spike times; f32 sums in another order may flip a few
potentials that sit at a threshold).

Prints a report and one line starting with {"bench": (JSON). Without CUDA, --device cuda prints
SKIP and a JSON line with "status": "skipped" and exits 0; without PyTorch likewise.
"""
import argparse
import gzip
import json
import math
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
STDS = (0.471404521, 1.099943882, 2.042752923)


def report(status, **kw):
    print(json.dumps(dict(bench="rezghi_forward", library="pytorch", status=status, **kw)))


def find_digits(arg):
    names = ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte")
    if arg:
        p = pathlib.Path(arg)
        if p.is_file():
            return p
        dirs = [p]
    else:
        # gpu-bin/bench/data (copied by build-gpu-bin.sh), then the source tree's bundle.
        dirs = [HERE / "data", HERE.parents[1] / "data" / "mnist10k"]
    for d in dirs:
        for n in names:
            if (d / n).is_file():
                return d / n
    raise SystemExit("torch_rezghi: digits not found (%s); pass --data" % ", ".join(map(str, dirs)))


def load_digits(path):
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic, n, rows, cols = (int.from_bytes(raw[4 * i:4 * i + 4], "big") for i in range(4))
    if magic != 2051 or rows != 28 or cols != 28:
        raise SystemExit("torch_rezghi: %s is not a 28x28 IDX image file" % path)
    return n, raw[16:16 + n * 784]


def gaussian(size, sigma):
    """Spec 2.1: exp(-0.5 (r / sigma)^2) over the (2 size + 1)^2 window, normalised (f64)."""
    k = 2 * size + 1
    g = [math.exp(-0.5 * (math.sqrt(i * i + j * j) / sigma) ** 2)
         for i in range(-size, size + 1) for j in range(-size, size + 1)]
    s = 0.0
    for v in g:
        s += v
    return [[g[r * k + c] / s for c in range(k)] for r in range(k)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--time", type=int, default=15)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default="")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: PyTorch's default)")
    ap.add_argument("--no-tf32", action="store_true", help="strict f32 convolutions")
    ap.add_argument("--no-cudnn-benchmark", action="store_true")
    ap.add_argument("--weights", default="", help="folder written by gpu_bench --dump")
    a = ap.parse_args()
    tag = "pytorch" + ("-f32" if a.no_tf32 else "")

    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print("SKIP: torch_rezghi: PyTorch is not installed (%s)" % e)
        report("skipped", device=a.device, reason="no torch: %s" % e)
        return 0
    if a.device == "cuda" and not torch.cuda.is_available():
        print("SKIP: torch_rezghi --device cuda: torch.cuda.is_available() is False")
        report("skipped", device="cuda", reason="no CUDA device visible to PyTorch")
        return 0
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    dev = torch.device("cuda:0" if a.device == "cuda" else "cpu")
    torch.backends.cudnn.allow_tf32 = not a.no_tf32
    torch.backends.cuda.matmul.allow_tf32 = not a.no_tf32
    torch.backends.cudnn.benchmark = not a.no_cudnn_benchmark
    T, B = a.time, a.batch

    path = find_digits(a.data)
    n, px = load_digits(path)
    nb = max(n // B, 1)
    idx = torch.arange(nb * B) % n
    imgs = torch.frombuffer(bytearray(px), dtype=torch.uint8).reshape(n, 1, 28, 28)
    imgs = (imgs[idx].to(torch.float32) / 255.0).to(dev)

    # LoG (spec 2.4): Gauss(s / sqrt 2) and Gauss(s * sqrt 2) per std, as f32 kernels.
    ks = [gaussian(3, s / math.sqrt(2)) for s in STDS] + [gaussian(3, s * math.sqrt(2)) for s in STDS]
    w_log = torch.tensor(ks, dtype=torch.float64).to(torch.float32).unsqueeze(1).to(dev)
    nf = len(STDS)
    if a.weights:
        wd = pathlib.Path(a.weights)
        meta = json.loads((wd / "meta.json").read_text())
        w1 = torch.frombuffer(bytearray((wd / "conv1.f32").read_bytes()), dtype=torch.float32)
        w2 = torch.frombuffer(bytearray((wd / "conv2.f32").read_bytes()), dtype=torch.float32)
        w1, w2 = w1.reshape(100, 6, 5, 5).to(dev), w2.reshape(200, 100, 3, 3).to(dev)
    else:
        g = torch.Generator().manual_seed(a.seed)
        w1 = (torch.randn(100, 6, 5, 5, generator=g) * 0.02 + 0.5).to(dev)
        w2 = (torch.randn(200, 100, 3, 3, generator=g) * 0.02 + 0.5).to(dev)
    steps = torch.arange(T, device=dev).view(1, T, 1)
    # F32(T) + 1e-5f in f32, kept on the device (a host scalar would cost a copy per call).
    end = (torch.tensor(float(T), dtype=torch.float32) + torch.tensor(1e-5, dtype=torch.float32)).to(dev)

    def code(x):
        """Rank code (spec 3.2, sort = True): per sample, descending order; rank r of G features
        above the minimum spikes from trunc(r * (T + 1e-5) / G); cumulative 0/1 frames."""
        flat = x.reshape(x.shape[0], -1)
        nfeat = flat.shape[1]
        order = torch.sort(flat, dim=1, descending=True, stable=True).indices
        mn = flat.min(dim=1, keepdim=True).values
        above = (flat > mn).sum(dim=1, keepdim=True).to(torch.float32)
        scale = end / above
        r = torch.arange(nfeat, device=dev, dtype=torch.float32).view(1, -1)
        tau = torch.trunc(r * scale)
        tau = torch.where(torch.isfinite(tau), tau, torch.zeros_like(tau))  # G = 0: all fire at 0
        tau = (tau.to(torch.int64) & 0xFFFF).to(torch.int32)  # the original's u16 wrap
        times = torch.empty_like(tau).scatter_(1, order, tau)
        return (times.unsqueeze(1) <= steps).to(torch.float32)  # [B, T, N]

    def forward(x):
        b = x.shape[0]
        d = F.conv2d(x, w_log, padding=3)
        d = d[:, :nf] - d[:, nf:]
        f = torch.cat((torch.relu(d), torch.relu(-d)), dim=1)  # on then off channels
        f = f.masked_fill(f <= 0.01, 0.0)
        s = code(f).reshape(b * T, 2 * nf, 28, 28)
        p1 = F.conv2d(s, w1, padding=2)
        q1 = F.max_pool2d((p1 > 16.0).to(torch.float32), 2)
        p2 = F.conv2d(q1, w2, padding=1)
        q2 = F.max_pool2d((p2 > 5.0).to(torch.float32), 3)
        fired = (q2 > 0.0).reshape(b, T, *q2.shape[1:])
        first = fired.to(torch.uint8).argmax(dim=1)  # first True (argmax returns the first max)
        never = torch.full_like(first, T)
        return torch.where(fired.any(dim=1), first, never).to(torch.uint8)  # [B, 200, 4, 4]

    def batch(i):
        k = i % nb
        return imgs[k * B:(k + 1) * B]

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    name = torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu (%d threads)" % torch.get_num_threads()
    print("torch_rezghi: rezghi forward with PyTorch %s on %s, batch %d, T %d, %d distinct batches "
          "from %s, tf32 %s, cudnn.benchmark %s" % (torch.__version__, name, B, T, nb, path,
                                                    torch.backends.cudnn.allow_tf32,
                                                    torch.backends.cudnn.benchmark))
    with torch.no_grad():
        t0 = time.perf_counter()
        out0 = forward(batch(0))
        sync()
        first_s = time.perf_counter() - t0
        for i in range(1, max(a.warmup, 1)):
            forward(batch(i))
        sync()
        t0 = time.perf_counter()
        for i in range(a.iters):
            forward(batch(i))
        sync()
        secs = time.perf_counter() - t0
    ms = secs * 1e3 / a.iters
    ips = a.iters * B / secs
    print("%s rezghi_forward: %.1f images/s, %.3f ms per batch of %d (%d iterations; first call %.3f s)"
          % (tag, ips, ms, B, a.iters, first_s))
    check = None
    if a.weights:
        ref = (wd / "times.u8").read_bytes()
        m = min(meta["batch"], B)
        if meta.get("time") != T:
            print("check: skipped (gpu_bench ran with T = %s)" % meta.get("time"))
        else:
            ref = torch.frombuffer(bytearray(ref), dtype=torch.uint8).reshape(meta["batch"], 200, 4, 4)[:m]
            mine = out0[:m].cpu()
            diff = int((mine != ref).sum())
            check = dict(images=m, differ=diff, total=int(ref.numel()))
            print("check against gpu_bench's first batch (%s): %d of %d first-spike times differ"
                  % (meta.get("device", "?"), diff, ref.numel()))
    report("ok", variant=tag, device=str(dev), device_info=name, torch=torch.__version__,
           tf32=bool(torch.backends.cudnn.allow_tf32), cudnn_benchmark=bool(torch.backends.cudnn.benchmark),
           batch=B, time=T, iters=a.iters, images_per_s=round(ips, 1), ms_per_batch=round(ms, 4),
           first_call_s=round(first_s, 4), check=check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
