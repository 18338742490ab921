// Core kernels: fill with a bit pattern, element-wise dtype conversion (spec 1.4/1.5).

// Sets n elements of 1/2/4/8 bytes to the low bytes of `bits` (the host converts the value).
#define SPK_FILL(BYTES, T) \
    extern "C" __global__ void spk_fill_b##BYTES(T* __restrict__ dst, u64 n, u64 bits) { \
        const T v = from_bits<T>(bits); \
        SPK_LOOP(i, n) dst[i] = v; \
    }
SPK_FILL(1, u8)
SPK_FILL(2, u16)
SPK_FILL(4, u32)
SPK_FILL(8, u64)

// dst[i] = cast<D>(src[i]) for every pair of dtypes: spk_convert_<src>_<dst>.
#define SPK_CONVERT(S, D) \
    extern "C" __global__ void spk_convert_##S##_##D(const S* __restrict__ src, D* __restrict__ dst, \
                                                    u64 n) { \
        SPK_LOOP(i, n) dst[i] = cast<D, S>(src[i]); \
    }
#define SPK_CONVERT_ROW(S) SPK_TYPES2(SPK_CONVERT, S)
SPK_TYPES(SPK_CONVERT_ROW)
