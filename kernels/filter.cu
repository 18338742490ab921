// DoG / Gabor / LoG filtering (spec 2.2-2.4) and the ZCA transform and split (spec 2.5).
// Every kernel reproduces src/cpu/filter.rs / src/cpu/zca.rs bit for bit: sums are accumulated
// in f64 in the CPU's order (row-major taps, features in index order), products and sums are
// separate roundings (NVRTC runs with --fmad=false), and each result is rounded once to the
// element type.

template <class T> __device__ __forceinline__ T sub(T a, T b) {
    if constexpr (Traits<T>::is_half) return f2h(h2f(a) - h2f(b));
    else if constexpr (Traits<T>::is_int) return (T)((u64)a - (u64)b);
    else return a - b;
}

// -a, wrapping for integers; f16 flips the sign bit like the `half` crate.
template <class T> __device__ __forceinline__ T neg(T a) {
    if constexpr (Traits<T>::is_half) {
        T r;
        r.bits = (unsigned short)(a.bits ^ 0x8000u);
        return r;
    } else if constexpr (Traits<T>::is_int) {
        return (T)((u64)0 - (u64)a);
    } else {
        return -a;
    }
}

// Sets *flag when any element is NaN or infinite (the filters reject such inputs).
// spk_filter_check_<float type>.
#define SPK_FILTER_CHECK(T) \
    extern "C" __global__ void spk_filter_check_##T(const T* __restrict__ x, u64 total, \
                                                     u32* __restrict__ flag) { \
        SPK_LOOP(i, total) { \
            const double v = cast<double, T>(x[i]); \
            if (!(v - v == 0.0)) *flag = 1u; \
        } \
    }
SPK_FILTER_CHECK(f16)
SPK_FILTER_CHECK(f32)
SPK_FILTER_CHECK(f64)

// The stride-1 correlation of output pixel (oy, ox) of one plane with the k x k kernel `kw`, over
// the zero-padded plane: border taps add 0 * weight like the CPU's padded buffer.
template <class T>
__device__ __forceinline__ double correlate(const T* plane, const T* kw, u64 h, u64 w, u64 k,
                                            u64 top, u64 left, u64 oy, u64 ox) {
    double s = 0.0;
    for (u64 ky = 0; ky < k; ++ky) {
        const u64 py = oy + ky;
        const bool row_in = py >= top && py < top + h;
        for (u64 kx = 0; kx < k; ++kx) {
            const u64 px = ox + kx;
            const bool in = row_in && px >= left && px < left + w;
            const double v = in ? cast<double, T>(plane[(py - top) * w + (px - left)]) : 0.0;
            s += v * cast<double, T>(kw[ky * k + kx]);
        }
    }
    return s;
}

// One thread per (plane, filter, output pixel). mode 0: DoG max(0, A - B); 1: Gabor A; 2: LoG
// max(A - B, 0) at filter f and max(B - A, 0) at filter F + f. Kernels are [F, k, k] (Gabor) or
// [2, F, k, k]. spk_filter_<float type>.
#define SPK_FILTER(T) \
    extern "C" __global__ void spk_filter_##T( \
        const T* __restrict__ x, const T* __restrict__ kern, T* __restrict__ y, u64 planes, u64 h, \
        u64 w, u64 k, u64 top, u64 left, u64 oh, u64 ow, u64 filters, u64 mode) { \
        const u64 po = oh * ow, kk = k * k; \
        const u64 per = mode == 2 ? 2 * filters : filters; \
        const T z = zero<T>(); \
        SPK_LOOP(i, planes * filters * po) { \
            const u64 pix = i % po, f = (i / po) % filters, p = i / (po * filters); \
            const u64 oy = pix / ow, ox = pix % ow; \
            const T* plane = x + p * h * w; \
            T* out = y + p * per * po; \
            const double a = correlate<T>(plane, kern + f * kk, h, w, k, top, left, oy, ox); \
            if (mode == 1) { \
                out[f * po + pix] = cast<T, double>(a); \
            } else { \
                const double b = \
                    correlate<T>(plane, kern + (filters + f) * kk, h, w, k, top, left, oy, ox); \
                const T d = sub<T>(cast<T, double>(a), cast<T, double>(b)); \
                out[f * po + pix] = lt<T>(z, d) ? d : z; \
                if (mode == 2) { \
                    const T m = neg<T>(d); \
                    out[(filters + f) * po + pix] = lt<T>(z, m) ? m : z; \
                } \
            } \
        } \
    }
SPK_FILTER(f16)
SPK_FILTER(f32)
SPK_FILTER(f64)

// ZCA transform y[r, b] = sum_a (x[r, a] - mean[a]) * w[a, b], in f64 in the CPU's order, one
// thread per output element; `y` must not alias `x` (the host stages in-place calls).
// spk_zca_apply_<float type>.
#define SPK_ZCA_APPLY(T) \
    extern "C" __global__ void spk_zca_apply_##T(const T* __restrict__ x, \
                                                  const f32* __restrict__ mean, \
                                                  const f32* __restrict__ w, T* __restrict__ y, \
                                                  u64 rows, u64 d) { \
        SPK_LOOP(i, rows * d) { \
            const u64 b = i % d, r = i / d; \
            const T* row = x + r * d; \
            double s = 0.0; \
            for (u64 a = 0; a < d; ++a) { \
                const double c = cast<double, T>(row[a]) - (double)mean[a]; \
                s += c * (double)w[a * d + b]; \
            } \
            y[i] = cast<T, double>(s); \
        } \
    }
SPK_ZCA_APPLY(f16)
SPK_ZCA_APPLY(f32)
SPK_ZCA_APPLY(f64)

// ZCA split: y[r, 0, j] = max(x, 0), y[r, 1, j] = max(-x, 0) (0 for unsigned types), with the
// CPU's comparisons (`v < 0 ? 0 : v`, so NaN and -0.0 pass through). spk_zca_split_<type>.
#define SPK_ZCA_SPLIT(T) \
    extern "C" __global__ void spk_zca_split_##T(const T* __restrict__ x, T* __restrict__ y, \
                                                  u64 rows, u64 d) { \
        const T z = zero<T>(); \
        SPK_LOOP(i, rows * d) { \
            const u64 j = i % d, r = i / d; \
            const T v = x[i]; \
            y[2 * r * d + j] = lt<T>(v, z) ? z : v; \
            T n = z; \
            if constexpr (!Traits<T>::is_int || Traits<T>::is_signed) { \
                const T m = neg<T>(v); \
                n = lt<T>(m, z) ? z : m; \
            } \
            y[(2 * r + 1) * d + j] = n; \
        } \
    }
SPK_TYPES(SPK_ZCA_SPLIT)
