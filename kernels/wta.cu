// Winner-take-all selection (spec 7.2-7.4): fcwta and convwta on a contiguous [B, T, N] input.
// One block per sample does the whole selection: per-neuron scores (one thread per neuron), then
// the greedy pick loop with a block-wide arg-max per pick and the exclusion done by all threads.
// The picks are sequential by nature (each one depends on the previous exclusions), so keeping
// the loop inside one block avoids a launch and a host round trip per winner; samples are
// independent and run in separate blocks.
//
// Exactness: the CPU scans scores with a strict `>` from index 0 (first maximum wins, NaN never
// replaces a value, a NaN at index 0 stays). Without NaNs that is the maximum with the lowest index
// on ties, which a tree reduction finds in any combination order; NaNs are left out of the
// reduction and a NaN at index 0 overrides the result. The sample's min/max for float scores are
// found the same way (strict `<` / `>` from element 0: the first of equal values, so -0.0 and 0.0
// keep their CPU order; a NaN first element makes both NaN).

#define WTA_BLOCK 256
#define WTA_NONE 0xFFFFFFFFFFFFFFFFull

template <class T> __device__ __forceinline__ bool wta_isnan(T a) {
    if constexpr (Traits<T>::is_half) {
        const float f = h2f(a);
        return f != f;
    } else if constexpr (Traits<T>::is_int) {
        return false;
    } else {
        return a != a;
    }
}

// a - b and a / b in the element type; f16 rounds through f32 like the `half` crate.
template <class T> __device__ __forceinline__ T wta_sub(T a, T b) {
    if constexpr (Traits<T>::is_half) return f2h(h2f(a) - h2f(b));
    else return a - b;
}
template <class T> __device__ __forceinline__ T wta_div(T a, T b) {
    if constexpr (Traits<T>::is_half) return f2h(h2f(a) / h2f(b));
    else return a / b;
}
template <class T> __device__ __forceinline__ double wta_f64(T a) {
    if constexpr (Traits<T>::is_half) return (double)h2f(a);
    else return (double)a;
}

// Folds candidate (v, i) into the running best (bv, bi): the larger value (smaller with MIN)
// wins, equal values go to the lower index; WTA_NONE marks "no candidate yet". Values are never
// NaN here, so "neither is less" means equal.
template <class S, bool MIN>
__device__ __forceinline__ void wta_take(S v, u64 i, S& bv, u64& bi) {
    if (i == WTA_NONE) return;
    bool better;
    if (bi == WTA_NONE) better = true;
    else if (MIN ? lt<S>(v, bv) : lt<S>(bv, v)) better = true;
    else if (MIN ? lt<S>(bv, v) : lt<S>(v, bv)) better = false;
    else better = i < bi;
    if (better) {
        bv = v;
        bi = i;
    }
}

// Block-wide wta_take over every thread's (v, i); every thread gets the result. Must be reached
// by all threads of the block.
template <class S, bool MIN>
__device__ __forceinline__ void wta_reduce(S* sv, u64* si, S& v, u64& i) {
    const unsigned tid = threadIdx.x;
    sv[tid] = v;
    si[tid] = i;
    __syncthreads();
    for (unsigned k = blockDim.x / 2; k > 0; k >>= 1) {
        if (tid < k) {
            wta_take<S, MIN>(sv[tid + k], si[tid + k], v, i);
            sv[tid] = v;
            si[tid] = i;
        }
        __syncthreads();
    }
    v = sv[0];
    i = si[0];
    __syncthreads(); // the arrays are reused by the next reduction
}

// One sample (block b). S is the score type: T for floats, u16 spike scores for integers.
// `scores` is [B, N] scratch; `out` is [B, count + 1]: the number of winners, then their flat
// neuron indices in selection order. The region: `c` maps of `h x w` (N = c h w); a pick at
// (z, y, x) sets the rows y-ry..y+ry and columns x-rx..x+rx (clipped) of every map to `lowest`,
// and the whole map z when `conv`. fcwta passes c = h = 1, w = N, ry = 0, rx = radius, conv = 0.
template <class T, class S>
__device__ __forceinline__ void wta_sample(const T* __restrict__ x, S* __restrict__ scores,
                                           u64* __restrict__ out, u64 steps, u64 n, T thr,
                                           S lowest, u64 count, u64 conv, u64 c, u64 h, u64 w,
                                           u64 ry, u64 rx, S* sv, u64* si) {
    const u64 b = blockIdx.x, tid = threadIdx.x, bs = blockDim.x;
    const T* xs = x + b * steps * n;
    S* s = scores + b * n;
    u64* o = out + b * (count + 1);

    if constexpr (Traits<T>::is_int) {
        // T - t_j for the first non-zero step t_j, 0 when silent, in u16 like the original.
        for (u64 j = tid; j < n; j += bs) {
            S v = 0;
            for (u64 t = 0; t < steps; ++t)
                if (xs[t * n + j] != (T)0) {
                    v = (S)(steps - t);
                    break;
                }
            s[j] = v;
        }
    } else {
        T mn = xs[0], mx = xs[0];
        if (!wta_isnan<T>(xs[0])) { // uniform across the block
            u64 li = WTA_NONE, hi = WTA_NONE;
            for (u64 k = tid; k < steps * n; k += bs) {
                const T v = xs[k];
                if (!wta_isnan<T>(v)) {
                    wta_take<T, true>(v, k, mn, li);
                    wta_take<T, false>(v, k, mx, hi);
                }
            }
            wta_reduce<T, true>(sv, si, mn, li);
            wta_reduce<T, false>(sv, si, mx, hi);
        }
        const T d = mul<T>(wta_sub<T>(mx, mn), cast<T, double>(2.0));
        // (T-1-t_j) + (x - mn) / d at the first step above the threshold, else `lowest`.
        for (u64 j = tid; j < n; j += bs) {
            S v = lowest;
            for (u64 t = 0; t < steps; ++t) {
                const T e = xs[t * n + j];
                if (lt<T>(thr, e)) {
                    v = add<T>(cast<T, i64>((i64)(steps - 1 - t)),
                               wta_div<T>(wta_sub<T>(e, mn), d));
                    break;
                }
            }
            s[j] = v;
        }
    }
    __syncthreads();

    const u64 plane = h * w;
    u64 found = 0;
    for (u64 k = 0; k < count; ++k) {
        S bv = lowest;
        u64 bi = WTA_NONE;
        for (u64 j = tid; j < n; j += bs) {
            const S v = s[j];
            if (!wta_isnan<S>(v)) wta_take<S, false>(v, j, bv, bi);
        }
        // Read before the reduction's barriers: right after them other threads start excluding.
        const S s0 = s[0];
        wta_reduce<S, false>(sv, si, bv, bi);
        if (wta_isnan<S>(s0) || bi == WTA_NONE) {
            bv = s0;
            bi = 0;
        }
        bool stop;
        if constexpr (Traits<T>::is_int) {
            stop = bv == (S)0;
        } else {
            double dd = wta_f64<S>(wta_sub<S>(bv, lowest));
            if (dd < 0.0) dd = -dd;
            stop = dd < 1e-5; // false for NaN, as on the CPU
        }
        if (stop) break; // uniform: every thread holds the same bv
        if (tid == 0) o[1 + found] = bi;
        ++found;
        const u64 z = bi / plane, p = bi % plane, y = p / w, xx = p % w;
        const u64 y0 = y > ry ? y - ry : 0, y1 = ry >= h - 1 - y ? h - 1 : y + ry;
        const u64 x0 = xx > rx ? xx - rx : 0, x1 = rx >= w - 1 - xx ? w - 1 : xx + rx;
        const u64 rh = y1 - y0 + 1, rw = x1 - x0 + 1;
        for (u64 e = tid; e < c * rh * rw; e += bs) {
            const u64 ch = e / (rh * rw), r = e % (rh * rw);
            s[ch * plane + (y0 + r / rw) * w + x0 + r % rw] = lowest;
        }
        if (conv)
            for (u64 q = tid; q < plane; q += bs) s[z * plane + q] = lowest;
        __syncthreads();
    }
    if (tid == 0) o[0] = found;
}

// spk_wta_<type>: launched with one block of WTA_BLOCK threads per sample. `thr_bits` is the
// threshold in the input type (ignored for integers), `lowest_bits` the sentinel in the score
// type, `count` at most N (the host clamps it: every pick excludes at least itself).
#define SPK_WTA(T) \
    extern "C" __global__ void __launch_bounds__(WTA_BLOCK) spk_wta_##T( \
        const T* __restrict__ x, u64 scores, u64* __restrict__ out, u64 steps, u64 n, \
        u64 thr_bits, u64 lowest_bits, u64 count, u64 conv, u64 c, u64 h, u64 w, u64 ry, \
        u64 rx) { \
        typedef typename WtaScore<T>::type S; \
        __shared__ S sv[WTA_BLOCK]; \
        __shared__ u64 si[WTA_BLOCK]; \
        wta_sample<T, S>(x, (S*)scores, out, steps, n, from_bits<T>(thr_bits), \
                         from_bits<S>(lowest_bits), count, conv, c, h, w, ry, rx, sv, si); \
    }

template <class T, bool INT = Traits<T>::is_int> struct WtaScore {
    typedef T type;
};
template <class T> struct WtaScore<T, true> {
    typedef u16 type;
};

SPK_TYPES(SPK_WTA)
