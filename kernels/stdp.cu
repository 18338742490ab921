// STDP / R-STDP weight updates (spec 8.1-8.3) for Conv and FC kernels, plus the first-spike times
// they read. The CPU applies the winners of one feature map (conv) or neuron (fc) one after the
// other, each to every weight of that map's kernel row; a weight's final value therefore depends
// only on the ordered list of jobs of its row. One thread per weight walks exactly that list in
// the CPU's order (the host groups jobs per row, keeping winner order), so the result is bit-exact:
// same f64 formula, the same single fma (the CPU uses mul_add), rounding to the kernel type after
// every job. Nothing is shared between threads, so no atomics or ordering across threads.
//
// Job table (u64 words, built on the host): offsets[rows + 1] into jobs, then per job 8 words:
// sample b, output row y, output column x (fc: the neuron), stabilize (0/1), then the f64 bits of
// positive, negative, lower, upper.

template <class T> __device__ __forceinline__ bool stdp_nonzero(T v) {
    if constexpr (Traits<T>::is_half) return h2f(v) != 0.0f; // NaN counts as a spike, -0 does not
    else return v != (T)0;
}

// spk_first_spike_<type>: first non-zero step of every element of [B, T, N] as u32, T when
// never (the CPU's `Time`), written as [B, N]. One thread per (b, j); a warp reads adjacent j.
#define SPK_FIRST_SPIKE(T) \
    extern "C" __global__ void spk_first_spike_##T(const T* __restrict__ x, u32* __restrict__ out, \
                                                   u64 batch, u64 steps, u64 n) { \
        SPK_LOOP(i, batch * n) { \
            const u64 b = i / n, j = i % n; \
            const T* p = x + b * steps * n + j; \
            u32 r = (u32)steps; \
            for (u64 t = 0; t < steps; ++t) \
                if (stdp_nonzero<T>(p[t * n])) { \
                    r = (u32)t; \
                    break; \
                } \
            out[i] = r; \
        } \
    }
SPK_TYPES(SPK_FIRST_SPIKE)

template <class K> __device__ __forceinline__ double stdp_to_f64(K w) {
    if constexpr (Traits<K>::is_half) return (double)h2f(w);
    else return (double)w;
}

// The rule of spec 8.1 on one weight with the config of job `j` (8 words, see above).
template <class K>
__device__ __forceinline__ K stdp_rule(K w, u32 pre, u32 post, const u64* j) {
    const double positive = from_bits<double>(j[4]), negative = from_bits<double>(j[5]);
    const double lower = from_bits<double>(j[6]), upper = from_bits<double>(j[7]);
    const double wf = stdp_to_f64<K>(w);
    const double rate = pre <= post ? positive : negative;
    // --fmad=false keeps this product separate, like the CPU.
    const double factor = j[3] != 0 ? (wf - lower) * (upper - wf) : 1.0;
    double v = __fma_rn(rate, factor, wf);
    v = upper < v ? upper : v;
    v = lower < v ? v : lower; // NaN ends at `lower`, as on the CPU
    return cast<K, double>(v);
}

// spk_conv_stdp_<kernel type>: kernel [O, C, kh, kw], one thread per weight. `pre` [B, C, H, W]
// (unpadded input first spikes; padding never spikes: T), `post` [B, O, OH, OW].
#define SPK_CONV_STDP(K) \
    extern "C" __global__ void spk_conv_stdp_##K( \
        K* __restrict__ kernel, const u32* __restrict__ pre, const u32* __restrict__ post, \
        const u64* __restrict__ offsets, const u64* __restrict__ jobs, u64 o, u64 c, u64 kh, \
        u64 kw, u64 h, u64 w, u64 oh, u64 ow, u64 sy, u64 sx, u64 top, u64 left, u64 steps) { \
        const u64 row = c * kh * kw; \
        SPK_LOOP(i, o * row) { \
            const u64 z = i / row, r = i % row; \
            const u64 ch = r / (kh * kw), u = (r / kw) % kh, v = r % kw; \
            K wv = kernel[i]; \
            for (u64 k = offsets[z]; k < offsets[z + 1]; ++k) { \
                const u64* j = jobs + 8 * k; \
                const u64 b = j[0], y = j[1], x = j[2]; \
                const u64 py = y * sy + u, px = x * sx + v; /* in the padded frame */ \
                u32 tp = (u32)steps; \
                if (py >= top && py - top < h && px >= left && px - left < w) \
                    tp = pre[((b * c + ch) * h + (py - top)) * w + (px - left)]; \
                const u32 tq = post[((b * o + z) * oh + y) * ow + x]; \
                wv = stdp_rule<K>(wv, tp, tq, j); \
            } \
            kernel[i] = wv; \
        } \
    }
SPK_CONV_STDP(f16)
SPK_CONV_STDP(f32)
SPK_CONV_STDP(f64)

// spk_fc_stdp_<kernel type>: kernel [O, I], one thread per weight. `pre` [B, I], `post` [B, O];
// `post_zero` uses post time 0 instead (the original CPU build, spec 8.3).
#define SPK_FC_STDP(K) \
    extern "C" __global__ void spk_fc_stdp_##K( \
        K* __restrict__ kernel, const u32* __restrict__ pre, const u32* __restrict__ post, \
        const u64* __restrict__ offsets, const u64* __restrict__ jobs, u64 o, u64 in, \
        u64 post_zero) { \
        SPK_LOOP(i, o * in) { \
            const u64 z = i / in, e = i % in; \
            K wv = kernel[i]; \
            for (u64 k = offsets[z]; k < offsets[z + 1]; ++k) { \
                const u64* j = jobs + 8 * k; \
                const u64 b = j[0]; \
                const u32 tq = post_zero ? 0u : post[b * o + z]; \
                wv = stdp_rule<K>(wv, pre[b * in + e], tq, j); \
            } \
            kernel[i] = wv; \
        } \
    }
SPK_FC_STDP(f16)
SPK_FC_STDP(f32)
SPK_FC_STDP(f64)
