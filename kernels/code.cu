// Spike coding (spec 3): input checks, per-sample spike times, rank and rate trains, `infinite`.
// Inputs are contiguous [B, N] (N features per sample), outputs [B, T, N].
//
// Spike times reproduce src/cpu/code.rs exactly: the same sequential min/max scan, the same
// f32/f64 arithmetic (explicit fma where the CPU uses mul_add; NVRTC runs with --fmad=false so no
// other contraction happens) and, for sorted rank coding, a step-for-step port of the CPU's
// libstdc++ introsort, because the spike time of tied values depends on where that unstable sort
// leaves them.

template <class T> __device__ __forceinline__ bool eq(T a, T b) {
    if constexpr (Traits<T>::is_half) return h2f(a) == h2f(b);
    else return a == b;
}

// Rust `v.clamp(0.0, 65535.0) as u32`: fmaxf returns 0 for NaN, as the Rust cast does.
__device__ __forceinline__ u32 to_u16f(float v) { return (u32)fminf(fmaxf(v, 0.0f), 65535.0f); }

// `x - mn` and `mx - mn` as the CPU's `Latency::diffs` computes them, as f32.
template <class T> __device__ __forceinline__ void diffs(T x, T mn, T mx, float& d, float& r) {
    if constexpr (Traits<T>::is_half) {
        d = h2f(f2h(h2f(x) - h2f(mn)));
        r = h2f(f2h(h2f(mx) - h2f(mn)));
    } else if constexpr (!Traits<T>::is_int) {
        d = (float)(x - mn);
        r = (float)(mx - mn);
    } else if constexpr (sizeof(T) <= 2) {
        // 8/16-bit operands are promoted to int (no wrap).
        d = (float)((int)x - (int)mn);
        r = (float)((int)mx - (int)mn);
    } else {
        // Wider integers subtract in the type itself and wrap.
        d = (float)(T)((u64)x - (u64)mn);
        r = (float)(T)((u64)mx - (u64)mn);
    }
}

// The linear spike time trunc(end - scale * (x - mn)), scale = end / (mx - mn).
template <class T> __device__ __forceinline__ u32 linear_time(T x, T mn, T mx, float end) {
    if constexpr (sizeof(T) == 8 && !Traits<T>::is_int) {
        // f64 keeps double arithmetic except for `scale`, which passes through an f32.
        const double e = (double)end;
        const double scale = (double)(float)(e / ((double)mx - (double)mn));
        const double v = fma(-scale, (double)x - (double)mn, e);
        return (u32)fmin(fmax(v, 0.0), 65535.0);
    } else {
        float d, r;
        diffs<T>(x, mn, mx, d, r);
        const float scale = end / r;
        return to_u16f(fmaf(-scale, d, end));
    }
}

// ---------------------------------------------------------------- introsort (libstdc++ std::sort)
// Sorts the index array a[0, n) by "less" = x[p] > x[q], exactly as src/cpu/introsort.rs. The
// recursion of the loop runs on an explicit stack: the ranges it visits are disjoint, so the order
// in which they are processed does not change the result.

#define SPK_SORT_THRESHOLD 16

template <class T> struct Greater {
    const T* x;
    __device__ __forceinline__ bool operator()(u32 p, u32 q) const { return lt<T>(x[q], x[p]); }
};

template <class L>
__device__ void adjust_heap(u32* a, u64 hole, u64 len, u32 v, const L& less) {
    const u64 top = hole;
    u64 c = hole;
    while (c < (len - 1) / 2) {
        c = 2 * (c + 1);
        if (less(a[c], a[c - 1])) c -= 1;
        a[hole] = a[c];
        hole = c;
    }
    if (len % 2 == 0 && c == (len - 2) / 2) {
        c = 2 * (c + 1);
        a[hole] = a[c - 1];
        hole = c - 1;
    }
    while (hole > top) {
        const u64 parent = (hole - 1) / 2;
        if (!less(a[parent], v)) break;
        a[hole] = a[parent];
        hole = parent;
    }
    a[hole] = v;
}

template <class L> __device__ void heap_sort(u32* a, u64 len, const L& less) {
    if (len < 2) return;
    u64 p = (len - 2) / 2;
    while (true) {
        adjust_heap(a, p, len, a[p], less);
        if (p == 0) break;
        p -= 1;
    }
    u64 end = len;
    while (end > 1) {
        end -= 1;
        const u32 v = a[end];
        a[end] = a[0];
        adjust_heap(a, 0, end, v, less);
    }
}

template <class L> __device__ u64 partition_pivot(u32* a, u64 first, u64 last, const L& less) {
    const u64 mid = first + (last - first) / 2;
    const u64 x = first + 1, y = mid, z = last - 1;
    u64 pick;
    if (less(a[x], a[y])) {
        if (less(a[y], a[z])) pick = y;
        else if (less(a[x], a[z])) pick = z;
        else pick = x;
    } else if (less(a[x], a[z])) {
        pick = x;
    } else if (less(a[y], a[z])) {
        pick = z;
    } else {
        pick = y;
    }
    u32 t = a[first];
    a[first] = a[pick];
    a[pick] = t;
    const u32 pivot = a[first];
    u64 l = first + 1, r = last;
    while (true) {
        while (less(a[l], pivot)) l += 1;
        r -= 1;
        while (less(pivot, a[r])) r -= 1;
        if (l >= r) return l;
        t = a[l];
        a[l] = a[r];
        a[r] = t;
        l += 1;
    }
}

template <class L> __device__ void unguarded_linear_insert(u32* a, u64 i, const L& less) {
    const u32 v = a[i];
    while (less(v, a[i - 1])) {
        a[i] = a[i - 1];
        i -= 1;
    }
    a[i] = v;
}

template <class L> __device__ void insertion_sort(u32* a, u64 n, const L& less) {
    for (u64 i = 1; i < n; ++i) {
        const u32 v = a[i];
        if (less(v, a[0])) {
            for (u64 k = i; k > 0; --k) a[k] = a[k - 1];
            a[0] = v;
        } else {
            unguarded_linear_insert(a, i, less);
        }
    }
}

template <class L> __device__ void intro_sort(u32* a, u64 n, const L& less) {
    if (n < 2) return;
    u32 depth0 = 0;
    for (u64 m = n; m > 1; m >>= 1) depth0 += 2;  // 2 * floor(log2(n))
    // Every pushed range has a smaller depth than the range that pushed it: at most depth0 + 1
    // ranges are pending (n < 2^32, checked on the host, so depth0 <= 62).
    u32 s_first[64], s_last[64], s_depth[64];
    int top = 0;
    s_first[0] = 0;
    s_last[0] = (u32)n;
    s_depth[0] = depth0;
    while (top >= 0) {
        const u64 first = s_first[top];
        u64 last = s_last[top];
        u32 depth = s_depth[top];
        top -= 1;
        while (last - first > SPK_SORT_THRESHOLD) {
            if (depth == 0) {
                heap_sort(a + first, last - first, less);
                break;
            }
            depth -= 1;
            const u64 cut = partition_pivot(a, first, last, less);
            top += 1;
            s_first[top] = (u32)cut;
            s_last[top] = (u32)last;
            s_depth[top] = depth;
            last = cut;
        }
    }
    if (n > SPK_SORT_THRESHOLD) {
        insertion_sort(a, SPK_SORT_THRESHOLD, less);
        for (u64 i = SPK_SORT_THRESHOLD; i < n; ++i) unguarded_linear_insert(a, i, less);
    } else {
        insertion_sort(a, n, less);
    }
}

// ---------------------------------------------------------------------------------- kernels

// First offending element of the whole input: atomicMin of key = 4 * index + kind (0 NaN,
// 1 +inf, 2 -inf; infinities only when `reject_inf`), the host reports it like the CPU check.
// spk_code_check_<type> for the float types.
#define SPK_CODE_CHECK(T) \
    extern "C" __global__ void spk_code_check_##T(const T* __restrict__ x, u64 total, \
                                                   unsigned long long* __restrict__ first, \
                                                   u64 reject_inf) { \
        SPK_LOOP(i, total) { \
            const double v = cast<double, T>(x[i]); \
            u64 kind = 4; \
            if (v != v) kind = 0; \
            else if (reject_inf && v > 1.7976931348623157e308) kind = 1; \
            else if (reject_inf && v < -1.7976931348623157e308) kind = 2; \
            if (kind < 4) atomicMin(first, (unsigned long long)(4 * i + kind)); \
        } \
    }
SPK_CODE_CHECK(f16)
SPK_CODE_CHECK(f32)
SPK_CODE_CHECK(f64)

// Spike times of each sample, one thread per sample (the sort is sequential anyway): tau[b, j] is
// the step of feature j's spike, `time` for never. `order` is [B, N] scratch for the sort.
// spk_code_times_<type>.
#define SPK_CODE_TIMES(T) \
    extern "C" __global__ void spk_code_times_##T(const T* __restrict__ input, u32* __restrict__ tau, \
                                                  u32* __restrict__ order, u64 samples, u64 n, \
                                                  u64 time, u64 end_bits, u64 sort) { \
        const float end = from_bits<float>(end_bits); \
        SPK_LOOP(b, samples) { \
            const T* x = input + b * n; \
            u32* tb = tau + b * n; \
            T mn = x[0], mx = x[0]; \
            for (u64 j = 1; j < n; ++j) { \
                const T v = x[j]; \
                if (lt<T>(v, mn)) mn = v; \
                if (lt<T>(mx, v)) mx = v; \
            } \
            if (eq<T>(mn, mx)) { \
                for (u64 j = 0; j < n; ++j) tb[j] = 0; \
            } else if (!sort) { \
                for (u64 j = 0; j < n; ++j) tb[j] = linear_time<T>(x[j], mn, mx, end); \
            } else { \
                u32* ob = order + b * n; \
                for (u64 j = 0; j < n; ++j) ob[j] = (u32)j; \
                Greater<T> less{x}; \
                intro_sort(ob, n, less); \
                u64 greater = 0; \
                for (u64 j = 0; j < n; ++j) greater += lt<T>(mn, x[j]) ? 1 : 0; \
                const float scale = end / (float)greater; \
                for (u64 r = 0; r < n; ++r) \
                    tb[ob[r]] = r < greater ? to_u16f((float)r * scale) : (u32)time; \
            } \
        } \
    }
SPK_TYPES(SPK_CODE_TIMES)

// Cumulative rank trains, one thread per output element: out[b, t, j] = (tau[b, j] <= t).
// spk_code_rank_<output type>.
#define SPK_CODE_RANK(O) \
    extern "C" __global__ void spk_code_rank_##O(const u32* __restrict__ tau, O* __restrict__ out, \
                                                 u64 samples, u64 n, u64 time) { \
        SPK_LOOP(i, samples * time * n) { \
            const u64 j = i % n, t = (i / n) % time, b = i / (n * time); \
            out[i] = (u64)tau[b * n + j] <= t ? one<O>() : zero<O>(); \
        } \
    }
SPK_TYPES(SPK_CODE_RANK)

// std::mt19937 with its state in global memory (624 words per sample: too large for registers,
// and global scratch avoids the driver reserving local memory for every resident thread).
struct Mt {
    u32* s;
    u32 index;
    __device__ void seed(u32 v) {
        s[0] = v;
        for (u32 i = 1; i < 624; ++i) s[i] = 1812433253u * (s[i - 1] ^ (s[i - 1] >> 30)) + i;
        index = 624;
    }
    __device__ u32 next() {
        if (index >= 624) {
            for (u32 i = 0; i < 624; ++i) {
                const u32 y = (s[i] & 0x80000000u) | (s[(i + 1) % 624] & 0x7fffffffu);
                u32 v = s[(i + 397) % 624] ^ (y >> 1);
                if (y & 1u) v ^= 0x9908b0dfu;
                s[i] = v;
            }
            index = 0;
        }
        u32 y = s[index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        return y ^ (y >> 18);
    }
};

#define SPK_NEVER 0xffffffffu

// One Poisson interval for a feature of spike time s: always consumes one generator output (as
// the CPU does, to stay in step), SPK_NEVER when s lies past the table.
__device__ __forceinline__ u32 draw(Mt& g, const u16* table, u32 s, u64 time) {
    const u32 r = g.next() & 1023u;
    return (u64)s < time ? (u32)table[(u64)s * 1024 + r] : SPK_NEVER;
}

// Cumulative Poisson counts, one thread per sample walking the steps in the CPU's order (the
// draws of all features share the sample's generator, seeded seed + b). `state` is [B, 624],
// `next` and `count` are [B, N] scratch. spk_code_rate_<output type>.
#define SPK_CODE_RATE(O) \
    extern "C" __global__ void spk_code_rate_##O( \
        const u32* __restrict__ tau, const u16* __restrict__ table, O* __restrict__ out, \
        u32* __restrict__ state, u32* __restrict__ next, u32* __restrict__ count, u64 samples, \
        u64 n, u64 time, u64 seed) { \
        SPK_LOOP(b, samples) { \
            Mt g{state + b * 624, 0}; \
            g.seed((u32)seed + (u32)b); \
            const u32* tb = tau + b * n; \
            u32* nb = next + b * n; \
            u32* cb = count + b * n; \
            for (u64 j = 0; j < n; ++j) { \
                nb[j] = draw(g, table, tb[j], time); \
                cb[j] = 0; \
            } \
            O* ob = out + b * time * n; \
            for (u64 t = 0; t < time; ++t) { \
                for (u64 j = 0; j < n; ++j) { \
                    const u32 at = nb[j]; \
                    if (at != SPK_NEVER && (u64)at == t) { \
                        cb[j] += 1; \
                        const u32 d = draw(g, table, tb[j], time); \
                        /* u16 intervals wrap like the original's */ \
                        nb[j] = d == SPK_NEVER ? SPK_NEVER : (u32)(u16)(at + d); \
                    } \
                    ob[t * n + j] = cast<O, u32>(cb[j]); \
                } \
            } \
        } \
    }
SPK_TYPES(SPK_CODE_RATE)

// `infinite`: every step but the last of each sample set to `value`; `per` = T * rest elements per
// sample, of which the first `keep` = (T - 1) * rest are overwritten. spk_infinite_<type>.
#define SPK_INFINITE(T) \
    extern "C" __global__ void spk_infinite_##T(T* __restrict__ x, u64 total, u64 per, u64 keep, \
                                                u64 value_bits) { \
        const T value = from_bits<T>(value_bits); \
        SPK_LOOP(i, total) { \
            if (i % per < keep) x[i] = value; \
        } \
    }
SPK_TYPES(SPK_INFINITE)
