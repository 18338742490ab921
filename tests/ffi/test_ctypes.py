#!/usr/bin/env python3
"""Loads libspyker.so with ctypes (standard library only) and drives the C ABI from Python.

Usage: test_ctypes.py path/to/libspyker.so

Checks: version and ABI, tensors (copy in/out, zero-copy wrap of a ctypes buffer, views,
conversion), a convolution layer whose kernel is reproducible after the same seed, that
errors come back as status codes with messages, and a small spiking pipeline
code -> conv -> fire -> pool whose every stage is checked against its known properties (shapes,
binary cumulative spikes) and against a pure-Python computation of the same stage; then the
spike-time fast paths on the same spikes (spk_rank_times, spk_times_to_spikes, spk_conv_fire_rank,
spk_conv_fire_times, spk_pool_times) against that dense pipeline (spk_convolve + spk_fire).
"""
import ctypes as C
import sys

OK, SHAPE, DTYPE, DEVICE, ARGUMENT, NULL = 0, 1, 2, 3, 4, 7
U8, I32, F32 = 4, 2, 9


def load(path):
    lib = C.CDLL(path)
    lib.spk_version.restype = C.c_char_p
    lib.spk_last_error_message.restype = C.c_char_p
    lib.spk_abi_version.restype = C.c_uint32
    P = C.c_void_p
    sizes = C.POINTER(C.c_size_t)
    sig = {
        "spk_tensor_create": [C.c_int32, sizes, C.c_size_t, C.POINTER(P)],
        "spk_tensor_from_data": [C.c_int32, sizes, C.c_size_t, P, C.c_size_t, C.POINTER(P)],
        "spk_tensor_wrap": [P, C.c_size_t, C.c_int32, sizes, C.c_size_t, P, P, C.POINTER(P)],
        "spk_tensor_read": [P, P, C.c_size_t],
        "spk_tensor_write": [P, P, C.c_size_t],
        "spk_tensor_index": [P, C.c_int64, C.POINTER(P)],
        "spk_tensor_fill": [P, C.c_double],
        "spk_tensor_to_dtype": [P, C.c_int32, C.POINTER(P)],
        "spk_tensor_shape": [P, sizes, C.c_size_t],
        "spk_tensor_rank": [P, sizes],
        "spk_tensor_free": [P],
        "spk_random_seed": [C.c_int64],
        "spk_conv_options_init": [P, C.c_size_t],
        "spk_conv_create": [P, C.POINTER(P)],
        "spk_conv_kernel": [P, C.POINTER(P)],
        "spk_conv_free": [P],
        "spk_encode": [P, C.c_int64, C.c_bool, C.c_int32, C.c_int32, C.POINTER(P)],
        "spk_convolve": [P, P, sizes, sizes, C.POINTER(P)],
        "spk_conv_forward": [P, P, C.POINTER(P)],
        "spk_conv_set_kernel": [P, P],
        "spk_fire": [P, C.c_double, C.c_int32, C.c_int32, C.POINTER(P)],
        "spk_pool": [P, sizes, sizes, sizes, P, C.POINTER(P)],
        "spk_tensor_dtype": [P, C.POINTER(C.c_int32)],
        "spk_rank_times": [P, C.POINTER(C.c_bool), C.POINTER(P)],
        "spk_times_to_spikes": [P, C.c_size_t, C.POINTER(P)],
        "spk_conv_fire_times": [P, C.c_size_t, P, sizes, sizes, C.c_double, C.POINTER(P)],
        "spk_conv_fire_rank": [P, P, sizes, sizes, C.c_double, C.POINTER(P)],
        "spk_pool_times": [P, C.c_size_t, sizes, sizes, sizes, C.POINTER(P)],
    }
    for name, args in sig.items():
        f = getattr(lib, name)
        f.argtypes = args
        f.restype = None if name.endswith("_free") else C.c_int32
    return lib


class ConvOptions(C.Structure):
    _fields_ = [
        ("size", C.c_uint32),
        ("insize", C.c_size_t),
        ("outsize", C.c_size_t),
        ("kernel", C.c_size_t * 2),
        ("stride", C.c_size_t * 2),
        ("pad", C.c_size_t * 4),
        ("mean", C.c_double),
        ("std", C.c_double),
        ("device_kind", C.c_int32),
        ("device_index", C.c_int64),
        ("dtype", C.c_int32),
    ]


def shape(*dims):
    return (C.c_size_t * len(dims))(*dims), len(dims)


def main():
    lib = load(sys.argv[1])
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    def ok(status, what):
        check(status == OK, f"{what}: status {status} ({lib.spk_last_error_message().decode()})")

    check(lib.spk_abi_version() == 1, "ABI version 1")
    print("spyker", lib.spk_version().decode())

    # copy in, view, fill, copy out
    vals = (C.c_float * 6)(0, 1.5, -2, 3.25, 4, 5)
    t = C.c_void_p()
    ok(lib.spk_tensor_from_data(F32, *shape(2, 3), vals, C.sizeof(vals), C.byref(t)), "from_data")
    row = C.c_void_p()
    ok(lib.spk_tensor_index(t, 1, C.byref(row)), "index")
    ok(lib.spk_tensor_fill(row, 7.0), "fill")
    back = (C.c_float * 6)()
    ok(lib.spk_tensor_read(t, back, C.sizeof(back)), "read")
    check(list(back) == [0, 1.5, -2, 7, 7, 7], f"view fill: {list(back)}")
    ints = C.c_void_p()
    ok(lib.spk_tensor_to_dtype(t, I32, C.byref(ints)), "to_dtype")
    iv = (C.c_int32 * 6)()
    ok(lib.spk_tensor_read(ints, iv, C.sizeof(iv)), "read i32")
    check(list(iv) == [0, 1, -2, 7, 7, 7], f"truncation: {list(iv)}")

    # zero-copy wrap of a ctypes buffer
    buf = (C.c_uint8 * 12)()
    w = C.c_void_p()
    ok(lib.spk_tensor_wrap(buf, 12, U8, *shape(3, 4), None, None, C.byref(w)), "wrap")
    ok(lib.spk_tensor_fill(w, 200), "fill wrapped")
    check(list(buf) == [200] * 12, "wrapped memory written in place")
    dims = (C.c_size_t * 4)()
    ok(lib.spk_tensor_shape(w, dims, 4), "shape")
    check(list(dims)[:2] == [3, 4], "shape of wrapped")

    # conv layer reproducible after the same seed
    kernels = []
    for _ in range(2):
        o = ConvOptions()
        ok(lib.spk_conv_options_init(C.byref(o), C.sizeof(o)), "options_init")
        o.insize, o.outsize = 2, 3
        o.kernel[0] = o.kernel[1] = 3
        ok(lib.spk_random_seed(5), "seed")
        conv, k = C.c_void_p(), C.c_void_p()
        ok(lib.spk_conv_create(C.byref(o), C.byref(conv)), "conv_create")
        ok(lib.spk_conv_kernel(conv, C.byref(k)), "conv_kernel")
        kv = (C.c_float * (3 * 2 * 3 * 3))()
        ok(lib.spk_tensor_read(k, kv, C.sizeof(kv)), "read kernel")
        kernels.append(list(kv))
        lib.spk_tensor_free(k)
        lib.spk_conv_free(conv)
    check(kernels[0] == kernels[1], "same kernel after the same seed")
    mean = sum(kernels[0]) / len(kernels[0])
    check(0.45 < mean < 0.55, f"kernel mean {mean}")

    # errors are statuses with messages
    out = C.c_void_p()
    check(lib.spk_tensor_create(99, *shape(2), C.byref(out)) == DTYPE, "bad dtype")
    check(b"dtype" in lib.spk_last_error_message(), "dtype message")
    check(lib.spk_tensor_read(t, back, 5) == SHAPE, "bad byte count")
    check(lib.spk_tensor_read(None, back, 24) == NULL, "null tensor")
    check(b"`tensor`" in lib.spk_last_error_message(), "null message names the argument")
    check(lib.spk_tensor_index(t, 5, C.byref(out)) == ARGUMENT, "index out of range")
    check(out.value is None, "out unchanged on failure")

    pipeline(lib, check, ok)

    for h in (t, row, ints, w):
        lib.spk_tensor_free(h)
    lib.spk_tensor_free(None)

    if failures:
        print("FAILED:", *failures, sep="\n  ")
        return 1
    print("ok")
    return 0


RANK = 0
B, CH, H, W, T = 2, 2, 6, 6, 4
K, KS = 3, 3


def read(lib, t, ctype, n):
    buf = (ctype * n)()
    if lib.spk_tensor_read(t, buf, C.sizeof(buf)) != OK:
        raise RuntimeError(lib.spk_last_error_message().decode())
    return list(buf)


def dims(lib, t):
    r = C.c_size_t()
    lib.spk_tensor_rank(t, C.byref(r))
    d = (C.c_size_t * r.value)()
    lib.spk_tensor_shape(t, d, r.value)
    return list(d)


def pipeline(lib, check, ok):
    """code -> conv -> fire -> pool on a tiny input, each stage checked in pure Python."""
    # distinct values per sample so that rank order is unambiguous
    vals = [((i * 37) % 71) / 71.0 for i in range(B * CH * H * W)]
    x = C.c_void_p()
    ok(lib.spk_tensor_from_data(F32, *shape(B, CH, H, W), (C.c_float * len(vals))(*vals),
                                4 * len(vals), C.byref(x)), "pipeline input")

    # 1. rank code: [B, T, C, H, W] u8, binary, cumulative, brightest feature spikes at t = 0
    spikes = C.c_void_p()
    ok(lib.spk_encode(x, T, True, U8, RANK, C.byref(spikes)), "code")
    check(dims(lib, spikes) == [B, T, CH, H, W], f"code shape {dims(lib, spikes)}")
    s = read(lib, spikes, C.c_uint8, B * T * CH * H * W)
    n = CH * H * W
    at = lambda b, t, j: s[(b * T + t) * n + j]
    check(set(s) <= {0, 1}, "code output is binary")
    check(all(at(b, t, j) <= at(b, t + 1, j) for b in range(B) for t in range(T - 1)
              for j in range(n)), "code output is cumulative")
    for b in range(B):
        sample = vals[b * n:(b + 1) * n]
        brightest = max(range(n), key=lambda j: sample[j])
        check(at(b, 0, brightest) == 1, "the brightest feature spikes first")
        darkest = min(range(n), key=lambda j: sample[j])
        check(all(at(b, t, darkest) == 0 for t in range(T)), "the darkest feature never spikes")
        # earlier spikes go to brighter features
        first = [next((t for t in range(T) if at(b, t, j)), T) for j in range(n)]
        check(all(first[i] <= first[j] for i in range(n) for j in range(n)
                  if sample[i] > sample[j]), "rank order follows intensity")

    # 2. conv with a kernel of quarters (exact in f32): compare with a direct sum
    kv = [((i * 5) % 9 - 2) / 4.0 for i in range(K * CH * KS * KS)]
    kern = C.c_void_p()
    ok(lib.spk_tensor_from_data(F32, *shape(K, CH, KS, KS), (C.c_float * len(kv))(*kv),
                                4 * len(kv), C.byref(kern)), "kernel")
    stride, pad = (C.c_size_t * 2)(1, 1), (C.c_size_t * 4)(1, 1, 1, 1)
    pot = C.c_void_p()
    ok(lib.spk_convolve(spikes, kern, stride, pad, C.byref(pot)), "conv")
    check(dims(lib, pot) == [B, T, K, H, W], f"conv shape {dims(lib, pot)}")
    p = read(lib, pot, C.c_float, B * T * K * H * W)
    want = []
    for b in range(B):
        for t in range(T):
            for k in range(K):
                for y in range(H):
                    for xx in range(W):
                        acc = 0.0
                        for c in range(CH):
                            for i in range(KS):
                                for j in range(KS):
                                    yy, xj = y + i - 1, xx + j - 1
                                    if 0 <= yy < H and 0 <= xj < W:
                                        acc += kv[((k * CH + c) * KS + i) * KS + j] * \
                                            at(b, t, (c * H + yy) * W + xj)
                        want.append(acc)
    check(p == want, "conv equals the pure-Python sum exactly")

    # the same through a Conv layer holding this kernel
    o = ConvOptions()
    ok(lib.spk_conv_options_init(C.byref(o), C.sizeof(o)), "options_init")
    o.insize, o.outsize = CH, K
    o.kernel[0] = o.kernel[1] = KS
    o.pad[0] = o.pad[1] = o.pad[2] = o.pad[3] = 1
    layer, pot2 = C.c_void_p(), C.c_void_p()
    ok(lib.spk_conv_create(C.byref(o), C.byref(layer)), "conv_create")
    ok(lib.spk_conv_set_kernel(layer, kern), "set_kernel")
    ok(lib.spk_conv_forward(layer, spikes, C.byref(pot2)), "conv_forward")
    check(read(lib, pot2, C.c_float, len(p)) == p, "Conv layer equals spk_convolve")

    # 3. fire: 1 where potential > threshold
    thr = 0.5
    fired = C.c_void_p()
    ok(lib.spk_fire(pot, thr, U8, RANK, C.byref(fired)), "fire")
    f = read(lib, fired, C.c_uint8, len(p))
    check(f == [1 if v > thr else 0 for v in p], "fire equals potential > threshold")
    check(0 < sum(f) < len(f), "some but not all neurons fire")

    # 4. pool 2x2 (stride = kernel): window maximum
    kernel2 = (C.c_size_t * 2)(2, 2)
    pooled = C.c_void_p()
    ok(lib.spk_pool(fired, kernel2, None, None, None, C.byref(pooled)), "pool")
    check(dims(lib, pooled) == [B, T, K, H // 2, W // 2], f"pool shape {dims(lib, pooled)}")
    q = read(lib, pooled, C.c_uint8, B * T * K * (H // 2) * (W // 2))
    fv = lambda b, t, k, y, xx: f[(((b * T + t) * K + k) * H + y) * W + xx]
    wantq = [max(fv(b, t, k, 2 * y + i, 2 * xx + j) for i in range(2) for j in range(2))
             for b in range(B) for t in range(T) for k in range(K)
             for y in range(H // 2) for xx in range(W // 2)]
    check(q == wantq, "pool equals the window maximum")
    check(set(q) <= {0, 1}, "pooled spikes stay binary")

    # errors inside the pipeline are statuses too
    bad = C.c_void_p()
    check(lib.spk_encode(x, 0, True, U8, RANK, C.byref(bad)) == ARGUMENT, "time 0 rejected")
    check(lib.spk_convolve(x, spikes, None, None, C.byref(bad)) == DTYPE, "float kernel required")
    check(lib.spk_pool(fired, None, None, None, None, C.byref(bad)) == NULL, "NULL kernel")
    check(bad.value is None, "out unchanged on failure")

    spike_times(lib, check, ok, spikes, s, kern, f, thr)

    for h in (x, spikes, kern, pot, pot2, fired, pooled):
        lib.spk_tensor_free(h)
    lib.spk_conv_free(layer)
    print("pipeline code -> conv -> fire -> pool: ok")


def spike_times(lib, check, ok, spikes, s, mixed, mixed_fired, thr):
    """The fast paths on the pipeline's rank-coded spikes `s` [B, T, CH, H, W] equal the dense
    composition: fire(conv(spikes)) and its first-spike times."""
    n = CH * H * W
    stride, pad = (C.c_size_t * 2)(1, 1), (C.c_size_t * 4)(1, 1, 1, 1)

    # rank_times: first-spike times of the trains (T = never), and back with times_to_spikes
    times, coded = C.c_void_p(), C.c_bool(False)
    ok(lib.spk_rank_times(spikes, C.byref(coded), C.byref(times)), "rank_times")
    check(coded.value and times.value is not None, "the code output is rank-coded")
    check(dims(lib, times) == [B, CH, H, W], f"rank_times shape {dims(lib, times)}")
    tv = read(lib, times, C.c_uint8, B * n)
    want_t = [next((t for t in range(T) if s[(b * T + t) * n + j]), T)
              for b in range(B) for j in range(n)]
    check(tv == want_t, "rank_times equals the first step with a spike")
    again = C.c_void_p()
    ok(lib.spk_times_to_spikes(times, T, C.byref(again)), "times_to_spikes")
    check(read(lib, again, C.c_uint8, len(s)) == s, "times_to_spikes inverts rank_times")

    # a non-negative kernel takes the spike-time path of spk_conv_fire_rank
    kv = [((i * 5) % 9) / 8.0 for i in range(K * CH * KS * KS)]
    kern = C.c_void_p()
    ok(lib.spk_tensor_from_data(F32, *shape(K, CH, KS, KS), (C.c_float * len(kv))(*kv),
                                4 * len(kv), C.byref(kern)), "non-negative kernel")
    thr2 = 2.0
    pot, dense = C.c_void_p(), C.c_void_p()
    ok(lib.spk_convolve(spikes, kern, stride, pad, C.byref(pot)), "conv (dense)")
    ok(lib.spk_fire(pot, thr2, U8, RANK, C.byref(dense)), "fire (dense)")
    fd = read(lib, dense, C.c_uint8, B * T * K * H * W)
    check(0 < sum(fd) < len(fd), "some but not all neurons fire (non-negative kernel)")
    fused = C.c_void_p()
    ok(lib.spk_conv_fire_rank(spikes, kern, stride, pad, thr2, C.byref(fused)), "conv_fire_rank")
    check(dims(lib, fused) == [B, T, K, H, W], f"conv_fire_rank shape {dims(lib, fused)}")
    check(read(lib, fused, C.c_uint8, len(fd)) == fd, "conv_fire_rank equals fire(conv)")

    # spk_conv_fire_times: the first firing times of that dense output (T = never)
    ftimes = C.c_void_p()
    ok(lib.spk_conv_fire_times(times, T, kern, stride, pad, thr2, C.byref(ftimes)),
       "conv_fire_times")
    m = K * H * W
    want_f = [next((t for t in range(T) if fd[(b * T + t) * m + j]), T)
              for b in range(B) for j in range(m)]
    check(read(lib, ftimes, C.c_uint8, B * m) == want_f, "conv_fire_times equals gather(fire(conv))")

    # spk_pool_times: the earliest time of each 2x2 window
    kernel2 = (C.c_size_t * 2)(2, 2)
    ptimes = C.c_void_p()
    ok(lib.spk_pool_times(ftimes, T, kernel2, None, None, C.byref(ptimes)), "pool_times")
    want_p = [min(want_f[((b * K + k) * H + 2 * y + i) * W + 2 * xx + j]
                  for i in range(2) for j in range(2))
              for b in range(B) for k in range(K) for y in range(H // 2) for xx in range(W // 2)]
    check(read(lib, ptimes, C.c_uint8, len(want_p)) == want_p, "pool_times equals the window min")

    # the pipeline's mixed-sign kernel: spk_conv_fire_rank takes the dense path (same result),
    # spk_conv_fire_times refuses it with a status and a message
    mixed_out, bad = C.c_void_p(), C.c_void_p()
    ok(lib.spk_conv_fire_rank(spikes, mixed, stride, pad, thr, C.byref(mixed_out)),
       "conv_fire_rank (mixed signs)")
    check(read(lib, mixed_out, C.c_uint8, len(mixed_fired)) == mixed_fired,
          "conv_fire_rank equals fire(conv) for a mixed-sign kernel")
    check(lib.spk_conv_fire_times(times, T, mixed, stride, pad, thr, C.byref(bad)) == ARGUMENT,
          "negative weights rejected")
    check(b"non-negative" in lib.spk_last_error_message(), "negative weights message")
    check(lib.spk_times_to_spikes(times, 256, C.byref(bad)) == ARGUMENT, "time > SPK_MAX_TIME")
    check(lib.spk_conv_fire_times(times, T - 1, kern, stride, pad, thr2, C.byref(bad)) == ARGUMENT,
          "times above `time` rejected")
    check(bad.value is None, "out unchanged on failure")

    # not rank-coded (potentials): success, rank_coded false, out NULL
    not_rank = C.c_void_p(1)
    ok(lib.spk_rank_times(pot, C.byref(coded), C.byref(not_rank)), "rank_times (potentials)")
    check(not coded.value and not_rank.value is None, "potentials are not rank-coded: NULL")

    for h in (times, again, kern, pot, dense, fused, ftimes, ptimes, mixed_out):
        lib.spk_tensor_free(h)
    print("spike-time fast paths equal the dense pipeline: ok")


if __name__ == "__main__":
    sys.exit(main())
