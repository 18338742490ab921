// Temporal backprop (spec 8.5 - 8.7): backward, labelize and the steps of FC::backward. Every
// operation is done in the CPU kernel's order and types (src/cpu/backprop.rs), so results are
// bit-identical.

template <class T> __device__ __forceinline__ bool ne(T a, T b) {
    if constexpr (Traits<T>::is_half) return h2f(a) != h2f(b);
    else return a != b;
}

// (desired - row) / time with C++ arithmetic: 8- and 16-bit integers are promoted to int, wider
// integers wrap in their own type (MIN / -1 wraps like Rust's wrapping_div), floats use IEEE
// arithmetic in the element type (f16 rounds after each operation, like the half crate).
template <class T> __device__ __forceinline__ T diff_div(T d, T r, T t) {
    if constexpr (Traits<T>::is_half) {
        return f2h(h2f(f2h(h2f(d) - h2f(r))) / h2f(t));
    } else if constexpr (!Traits<T>::is_int) {
        return (d - r) / t;
    } else if constexpr (sizeof(T) <= 2) {
        return (T)(((int)d - (int)r) / (int)t);
    } else if constexpr (Traits<T>::is_signed) {
        const T diff = (T)((u64)d - (u64)r);
        if (t == (T)-1) return (T)((u64)0 - (u64)diff);
        return diff / t;
    } else {
        return (T)(d - r) / t;
    }
}

// One thread per row of n: m = min(row), u = m + gamma, v = min(time, u); entries below u move to
// v unless m == time; the target entry becomes max(0, m); out = (desired - row) / time. Each entry
// is read right before its output is written, so out may equal x. spk_backward_<type>.
#define SPK_BACKWARD(T) \
    extern "C" __global__ void spk_backward_##T(const T* x, T* y, const i64* __restrict__ target, \
                                               u64 rows, u64 n, u64 time_bits, u64 gamma_bits) { \
        const T time = from_bits<T>(time_bits), gamma = from_bits<T>(gamma_bits), z = zero<T>(); \
        SPK_LOOP(b, rows) { \
            const T* row = x + b * n; \
            T* out = y + b * n; \
            T m = row[0]; \
            for (u64 j = 1; j < n; ++j) \
                if (lt<T>(row[j], m)) m = row[j]; \
            const T u = add<T>(m, gamma); \
            const T v = lt<T>(u, time) ? u : time; \
            const bool moved = ne<T>(m, time); \
            const T mt = lt<T>(z, m) ? m : z; \
            const u64 tg = (u64)target[b]; \
            for (u64 j = 0; j < n; ++j) { \
                const T r = row[j]; \
                T d = r; \
                if (moved && lt<T>(d, u)) d = v; \
                if (j == tg) d = mt; \
                out[j] = diff_div<T>(d, r, time); \
            } \
        } \
    }
SPK_TYPES(SPK_BACKWARD)

// One thread per sample of [steps, n]: the first neuron above the threshold at the earliest step,
// else the first maximum of the last step. spk_labelize_<type>.
#define SPK_LABELIZE(T) \
    extern "C" __global__ void spk_labelize_##T(const T* __restrict__ x, i64* __restrict__ out, \
                                               u64 batch, u64 steps, u64 n, u64 thr_bits) { \
        const T thr = from_bits<T>(thr_bits); \
        SPK_LOOP(b, batch) { \
            const T* s = x + b * steps * n; \
            i64 label = -1; \
            for (u64 k = 0; k < steps * n && label < 0; ++k) \
                if (lt<T>(thr, s[k])) label = (i64)(k % n); \
            if (label < 0) { \
                const T* last = s + (steps - 1) * n; \
                u64 best = 0; \
                for (u64 j = 1; j < n; ++j) \
                    if (lt<T>(last[best], last[j])) best = j; \
                label = (i64)best; \
            } \
            out[b] = label; \
        } \
    }
SPK_TYPES(SPK_LABELIZE)

// FC::backward, taken once before any update: sign[e] = sign(kernel[e]) (0 for zero and NaN).
extern "C" __global__ void spk_fcb_sign(const f32* __restrict__ kernel, f32* __restrict__ sign,
                                        u64 n) {
    SPK_LOOP(e, n) {
        const f32 k = kernel[e];
        sign[e] = k > 0.0f ? 1.0f : (k < 0.0f ? -1.0f : 0.0f);
    }
}

// FC::backward steps 1 - 3 for one sample, one thread per kernel element e = (r, c):
// sel = (input[c] < output[r] ? grad[r] : 0); k -= lrate sel; k -= (lrate lambda) k, each a
// fused multiply-add as on the CPU. spk_fcb_update_<type>.
#define SPK_FCB_UPDATE(T) \
    extern "C" __global__ void spk_fcb_update_##T( \
        f32* __restrict__ kernel, f32* __restrict__ sel, const T* __restrict__ input, \
        const T* __restrict__ output, const T* __restrict__ grad, u64 no, u64 ni, \
        u64 neg_lrate_bits, u64 neg_decay_bits) { \
        const f32 neg_lrate = from_bits<f32>(neg_lrate_bits); \
        const f32 neg_decay = from_bits<f32>(neg_decay_bits); \
        SPK_LOOP(e, no * ni) { \
            const u64 r = e / ni, c = e - r * ni; \
            const f32 v = lt<T>(input[c], output[r]) ? cast<f32, T>(grad[r]) : 0.0f; \
            sel[e] = v; \
            f32 k = __fmaf_rn(neg_lrate, v, kernel[e]); \
            kernel[e] = __fmaf_rn(neg_decay, k, k); \
        } \
    }
SPK_TYPES(SPK_FCB_UPDATE)

// FC::backward step 4 for one sample, one thread per kernel row, summing along the row in order:
// parts[r] = sum_c (lrf sel[r, c]) sign[r, c] (the host adds the rows in order).
extern "C" __global__ void spk_fcb_rows(const f32* __restrict__ sel, const f32* __restrict__ sign,
                                        f32* __restrict__ parts, u64 no, u64 ni, u64 lrf_bits) {
    const f32 lrf = from_bits<f32>(lrf_bits);
    SPK_LOOP(r, no) {
        f32 part = 0.0f;
        for (u64 c = 0; c < ni; ++c) part = part + lrf * sel[r * ni + c] * sign[r * ni + c];
        parts[r] = part;
    }
}

// FC::backward step 5 for one sample, one thread per input column, summing the rows in order:
// next[c] = sum_r kernel[r, c] sel[r, c] (fused multiply-adds from +0.0). spk_fcb_next_<type>.
#define SPK_FCB_NEXT(T) \
    extern "C" __global__ void spk_fcb_next_##T(const f32* __restrict__ kernel, \
                                               const f32* __restrict__ sel, T* __restrict__ next, \
                                               u64 no, u64 ni) { \
        SPK_LOOP(c, ni) { \
            f32 d = 0.0f; \
            for (u64 r = 0; r < no; ++r) d = __fmaf_rn(kernel[r * ni + c], sel[r * ni + c], d); \
            next[c] = cast<T, f32>(d); \
        } \
    }
SPK_TYPES(SPK_FCB_NEXT)
