// Padding and pooling kernels (spec 5), one thread per output element. Tensors are contiguous
// [B, T, C, H, W]; "planes" counts the B * T * C spatial planes.

// Constant padding: y[p, r, c] = x[p, r - top, c - left] inside, `value` on the border.
// spk_pad_<type>.
#define SPK_PAD(T) \
    extern "C" __global__ void spk_pad_##T(const T* __restrict__ x, T* __restrict__ y, u64 planes, \
                                          u64 h, u64 w, u64 oh, u64 ow, u64 top, u64 left, \
                                          u64 value_bits) { \
        const T value = from_bits<T>(value_bits); \
        SPK_LOOP(i, planes * oh * ow) { \
            const u64 c = i % ow, r = (i / ow) % oh, p = i / (ow * oh); \
            const bool inside = r >= top && r < top + h && c >= left && c < left + w; \
            y[i] = inside ? x[(p * h + (r - top)) * w + (c - left)] : value; \
        } \
    }
SPK_TYPES(SPK_PAD)

// Max pooling over zero-padded windows: a row-major scan of the window with a strict `<` from
// `lowest` (the host's most negative finite value), so NaNs never win and the first of equal
// values is kept, which is the element the CPU's separable scan picks. spk_max_pool_<type>.
#define SPK_MAX_POOL(T) \
    extern "C" __global__ void spk_max_pool_##T( \
        const T* __restrict__ x, T* __restrict__ y, u64 planes, u64 h, u64 w, u64 oh, u64 ow, \
        u64 ky, u64 kx, u64 sy, u64 sx, u64 top, u64 left, u64 lowest_bits) { \
        const T lowest = from_bits<T>(lowest_bits), z = zero<T>(); \
        SPK_LOOP(i, planes * oh * ow) { \
            const u64 j = i % ow, o = (i / ow) % oh, p = i / (ow * oh); \
            const T* plane = x + p * h * w; \
            T m = lowest; \
            for (u64 a = 0; a < ky; ++a) { \
                /* padded row coordinate o * sy + a, data row (o * sy + a - top) */ \
                const u64 pr = o * sy + a; \
                const bool row_in = pr >= top && pr < top + h; \
                for (u64 b = 0; b < kx; ++b) { \
                    const u64 pc = j * sx + b; \
                    const bool in = row_in && pc >= left && pc < left + w; \
                    const T v = in ? plane[(pr - top) * w + (pc - left)] : z; \
                    if (lt<T>(m, v)) m = v; \
                } \
            } \
            y[i] = m; \
        } \
    }
SPK_TYPES(SPK_MAX_POOL)

// Rate-guided pooling (no padding): every output element (b, t, c, o, j) takes the input value at
// the window position of the highest rate in rates[b, c] (first in row-major order on ties; the
// window's first position when no rate exceeds `lowest`). The arg-max is recomputed per time step:
// windows are small and this keeps one kernel with no scratch memory. spk_rate_pool_<type>.
#define SPK_RATE_POOL(T) \
    extern "C" __global__ void spk_rate_pool_##T( \
        const T* __restrict__ x, const T* __restrict__ rates, T* __restrict__ y, u64 steps, \
        u64 channels, u64 h, u64 w, u64 oh, u64 ow, u64 ky, u64 kx, u64 sy, u64 sx, u64 n, \
        u64 lowest_bits) { \
        const T lowest = from_bits<T>(lowest_bits); \
        SPK_LOOP(i, n) { \
            const u64 j = i % ow, o = (i / ow) % oh, plane = i / (ow * oh); \
            const u64 c = plane % channels, b = plane / (channels * steps); \
            const T* rate = rates + (b * channels + c) * h * w; \
            T best = lowest; \
            u64 k = o * sy * w + j * sx; \
            for (u64 r = o * sy; r < o * sy + ky; ++r) \
                for (u64 col = j * sx; col < j * sx + kx; ++col) { \
                    const T v = rate[r * w + col]; \
                    if (lt<T>(best, v)) { \
                        best = v; \
                        k = r * w + col; \
                    } \
                } \
            y[i] = x[plane * h * w + k]; \
        } \
    }
SPK_TYPES(SPK_RATE_POOL)
