// Time-axis kernels of the neuron family (spec 4.4-4.5): gather (spike trains -> first-spike
// times or final counts) and scatter (first-spike times -> cumulative spike trains). Tensors are
// contiguous [batch, time, n] and [batch, n]. A separate file from fire.cu so that each module
// NVRTC builds on first use stays small.

// Rank gather: the first step t with x[b, t, j] > threshold, `time` when there is none, converted
// to the output type. spk_gather_rank_<in>_<out>.
#define SPK_GATHER_RANK(S, D) \
    extern "C" __global__ void spk_gather_rank_##S##_##D(const S* __restrict__ x, \
                                                        D* __restrict__ y, u64 batch, u64 time, \
                                                        u64 n, u64 thr_bits) { \
        const S thr = from_bits<S>(thr_bits); \
        SPK_LOOP(idx, batch * n) { \
            const u64 b = idx / n, j = idx % n; \
            u64 first = time; \
            for (u64 t = 0; t < time; ++t) \
                if (lt<S>(thr, x[(b * time + t) * n + j])) { \
                    first = t; \
                    break; \
                } \
            y[idx] = cast<D, i64>((i64)first); \
        } \
    }

// Rate gather: the value at the last step, converted. spk_gather_rate_<in>_<out>.
#define SPK_GATHER_RATE(S, D) \
    extern "C" __global__ void spk_gather_rate_##S##_##D(const S* __restrict__ x, \
                                                        D* __restrict__ y, u64 batch, u64 time, \
                                                        u64 n) { \
        SPK_LOOP(idx, batch * n) { \
            const u64 b = idx / n, j = idx % n; \
            y[idx] = cast<D, S>(x[(b * time + time - 1) * n + j]); \
        } \
    }

// Whether a neuron with first-spike time x has fired by step t, with the CPU's comparison
// (spec 4.5): types narrower than 32 bits through int then unsigned (negative: never), i32
// reinterpreted as unsigned, 64-bit integers in their own type (negative i64: at once), floats
// against t converted to the float type (NaN: never). Monotone in t, so it equals the CPU's
// "t >= first step reached".
template <class T> __device__ __forceinline__ bool reached(u32 t, T x) {
    if constexpr (Traits<T>::is_half) return (float)t >= h2f(x);
    else if constexpr (!Traits<T>::is_int) return (T)t >= x;
    else if constexpr (sizeof(T) < 4) return t >= (u32)(i32)x;
    else if constexpr (sizeof(T) == 4) return t >= (u32)x;
    else return (T)t >= x;
}

// Scatter: y[b, t, j] = x[b, j] reached by step t ? 1 : 0. spk_scatter_<in>_<out>.
#define SPK_SCATTER(S, D) \
    extern "C" __global__ void spk_scatter_##S##_##D(const S* __restrict__ x, D* __restrict__ y, \
                                                    u64 batch, u64 time, u64 n) { \
        SPK_LOOP(i, batch * time * n) { \
            const u64 j = i % n, t = (i / n) % time, b = i / (n * time); \
            y[i] = reached<S>((u32)t, x[b * n + j]) ? one<D>() : zero<D>(); \
        } \
    }

#define SPK_GATHER_ROW(S) \
    SPK_TYPES2(SPK_GATHER_RANK, S) SPK_TYPES2(SPK_GATHER_RATE, S) SPK_TYPES2(SPK_SCATTER, S)
SPK_TYPES(SPK_GATHER_ROW)
