// Lateral inhibition across channels (spec 4.6) on a contiguous [B, T, C, P] tensor (P = H * W),
// in place. One thread per (sample, position): it finds the winning channel and multiplies every
// other channel by zero at all steps (a product, not a store: -0.0 and NaN results as on the CPU).
// Threads of a warp touch adjacent positions, so every access is coalesced.

// The largest channel value at step t (scan from channel 0's value, strict `<`, so a NaN in
// channel 0 stays and the lowest channel wins ties) and its channel.
template <class T>
__device__ __forceinline__ T step_max(const T* s, u64 channels, u64 plane, u64* arg) {
    T m = s[0];
    u64 a = 0;
    for (u64 c = 1; c < channels; ++c) {
        const T v = s[c * plane];
        if (lt<T>(m, v)) {
            m = v;
            a = c;
        }
    }
    *arg = a;
    return m;
}

// The winner is the arg-max at step T - max(S, 1), S the number of steps whose maximum exceeds
// the threshold. spk_inhibit_<type>.
#define SPK_INHIBIT(T) \
    extern "C" __global__ void spk_inhibit_##T(T* __restrict__ x, u64 batch, u64 steps, \
                                              u64 channels, u64 plane, u64 thr_bits) { \
        const T thr = from_bits<T>(thr_bits), z = zero<T>(); \
        SPK_LOOP(i, batch * plane) { \
            const u64 b = i / plane, p = i % plane; \
            T* s = x + b * steps * channels * plane + p; \
            u64 count = 0, arg; \
            for (u64 t = 0; t < steps; ++t) \
                if (lt<T>(thr, step_max<T>(s + t * channels * plane, channels, plane, &arg))) \
                    ++count; \
            const u64 ts = steps - (count > 1 ? count : 1); \
            u64 win; \
            step_max<T>(s + ts * channels * plane, channels, plane, &win); \
            for (u64 t = 0; t < steps; ++t) \
                for (u64 c = 0; c < channels; ++c) \
                    if (c != win) { \
                        T* e = s + (t * channels + c) * plane; \
                        *e = mul<T>(*e, z); \
                    } \
        } \
    }
SPK_TYPES(SPK_INHIBIT)
