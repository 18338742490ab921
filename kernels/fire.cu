// Neuron kernels (spec 4.1-4.3): fire (rank and rate codes), threshold, quantize.

// Rank code: y = x > threshold ? 1 : 0, element-wise. spk_fire_rank_<in>_<out>.
#define SPK_FIRE_RANK(S, D) \
    extern "C" __global__ void spk_fire_rank_##S##_##D(const S* __restrict__ x, D* __restrict__ y, \
                                                      u64 n, u64 thr_bits) { \
        const S thr = from_bits<S>(thr_bits); \
        SPK_LOOP(i, n) y[i] = lt<S>(thr, x[i]) ? one<D>() : zero<D>(); \
    }

// The rate code's spike condition `level + threshold < x`, as the CPU computes it: types narrower
// than 32 bits are promoted to int (no wrap), wider integers wrap, f16 rounds the sum to f16.
template <class T> __device__ __forceinline__ bool rises_above(T level, T thr, T x) {
    if constexpr (Traits<T>::is_int && sizeof(T) < 4) return (i32)level + (i32)thr < (i32)x;
    else return lt<T>(add<T>(level, thr), x);
}

// Rate code: input [batch, steps, inner]; one thread per (batch, inner) neuron walks the steps:
// a spike whenever the potential rises more than `threshold` above the level of the last spike;
// y[t] is the spike count so far, counted in the output type like the CPU (so it wraps or, for
// floats, stops where adding 1 no longer changes it). spk_fire_rate_<in>_<out>.
#define SPK_FIRE_RATE(S, D) \
    extern "C" __global__ void spk_fire_rate_##S##_##D(const S* __restrict__ x, D* __restrict__ y, \
                                                      u64 batch, u64 steps, u64 inner, \
                                                      u64 thr_bits) { \
        const S thr = from_bits<S>(thr_bits); \
        SPK_LOOP(idx, batch * inner) { \
            const u64 b = idx / inner, j = idx % inner; \
            S level = zero<S>(); \
            D count = zero<D>(); \
            for (u64 t = 0; t < steps; ++t) { \
                const u64 k = (b * steps + t) * inner + j; \
                const S v = x[k]; \
                if (rises_above<S>(level, thr, v)) { \
                    count = add<D>(count, one<D>()); \
                    level = v; \
                } \
                y[k] = count; \
            } \
        } \
    }

#define SPK_FIRE_ROW(S) SPK_TYPES2(SPK_FIRE_RANK, S) SPK_TYPES2(SPK_FIRE_RATE, S)
SPK_TYPES(SPK_FIRE_ROW)

// In place: x = value where x <= threshold (NaN is kept). spk_threshold_<type>.
#define SPK_THRESHOLD(T) \
    extern "C" __global__ void spk_threshold_##T(T* __restrict__ x, u64 n, u64 thr_bits, \
                                                u64 value_bits) { \
        const T thr = from_bits<T>(thr_bits), value = from_bits<T>(value_bits); \
        SPK_LOOP(i, n) if (le<T>(x[i], thr)) x[i] = value; \
    }
SPK_TYPES(SPK_THRESHOLD)

// In place: x = x < middle ? lower : upper (NaN -> upper). spk_quantize_<type>.
#define SPK_QUANTIZE(T) \
    extern "C" __global__ void spk_quantize_##T(T* __restrict__ x, u64 n, u64 lower_bits, \
                                               u64 middle_bits, u64 upper_bits) { \
        const T lower = from_bits<T>(lower_bits), middle = from_bits<T>(middle_bits), \
                upper = from_bits<T>(upper_bits); \
        SPK_LOOP(i, n) x[i] = lt<T>(x[i], middle) ? lower : upper; \
    }
SPK_TYPES(SPK_QUANTIZE)
