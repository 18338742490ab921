#!/usr/bin/env python3
"""Loads libspyker.so with ctypes (standard library only) and drives the C ABI from Python.

Usage: test_ctypes.py path/to/libspyker.so

Checks: version and ABI, tensors (copy in/out, zero-copy wrap of a ctypes buffer, views,
conversion), a convolution layer whose kernel is reproducible after the same seed, and that
errors come back as status codes with messages. The code -> conv -> fire -> pool pipeline is
added when those entry points exist (see docs/FFI.md).
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

    for h in (t, row, ints, w):
        lib.spk_tensor_free(h)
    lib.spk_tensor_free(None)

    if failures:
        print("FAILED:", *failures, sep="\n  ")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
