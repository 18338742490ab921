// 2-D convolution of every frame (spec 6.1) as an implicit GEMM: out[o, n] = sum_k w[o, k] x[k, n]
// with k = (c, u, v) the receptive-field index (c * kh * kw + u * kw + v, the CPU's im2col row)
// and n = (frame, i, j) every output position of every frame, so small frames still fill tiles.
// The patch matrix x is never materialised: each tile of it is gathered from the input frames
// (zero outside the image) straight into shared memory.
//
// Summation order (why the result is bit-identical to src/cpu/conv.rs): every output is
// accumulated by one thread in increasing k with a fused multiply-add from +0.0, the sum restarting
// every SUM_BLOCK (512) entries and the block sums added in order: the CPU's blocked order. Tiles
// whose inputs are all zero and whose weights are all finite are skipped: each skipped term is
// w * 0 = +-0, and adding +-0 leaves a sum that is never -0.0 unchanged (the CPU's sparse path
// relies on the same fact). Padded k rows (beyond K) add 0 * 0 the same way.
//
// Tile: 64 output channels x 128 positions, 16 k per step, 256 threads each owning a 4 x 8 block
// of outputs (columns tx*4..+4 and 64+tx*4..+4, so the shared reads are 16-byte vectors without
// bank conflicts). Tiles are walked grid-stride with the channel tile fastest, so consecutive
// blocks reuse one input tile from L2. Accumulation is in f32 for f16/f32 kernels and f64 for
// f64 kernels, like the CPU.

#define CONV_BM 64
#define CONV_BN 128
#define CONV_BK 16
#define CONV_WS (CONV_BM + 4) // weight tile row stride: 2-way instead of 16-way store conflicts
#define SUM_BLOCK 512

template <class K> struct AccOf {
    typedef float T;
};
template <> struct AccOf<f64> {
    typedef double T;
};

__device__ __forceinline__ float fma_rn(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ __forceinline__ double fma_rn(double a, double b, double c) { return __fma_rn(a, b, c); }

// An input element as the CPU sees it: converted to the kernel dtype, then widened.
template <class I, class K> __device__ __forceinline__ typename AccOf<K>::T to_acc(I v) {
    return cast<typename AccOf<K>::T, K>(cast<K, I>(v));
}

struct alignas(16) F4 {
    float x, y, z, w;
};

// r[0..4] = p[0..4] from shared memory (one 16-byte load for f32).
__device__ __forceinline__ void ld4(const float* p, float* r) {
    const F4 v = *reinterpret_cast<const F4*>(p);
    r[0] = v.x;
    r[1] = v.y;
    r[2] = v.z;
    r[3] = v.w;
}
__device__ __forceinline__ void ld4(const double* p, double* r) {
    r[0] = p[0];
    r[1] = p[1];
    r[2] = p[2];
    r[3] = p[3];
}

// Non-zero for inf and NaN (x - x is NaN for them, 0 otherwise).
template <class A> __device__ __forceinline__ bool non_finite(A v) { return (v - v) != (A)0; }

template <class I, class K>
__device__ __forceinline__ void conv_body(const I* __restrict__ x, const K* __restrict__ w,
                                          K* __restrict__ y, u64 frames, u32 C, u32 H, u32 W,
                                          u32 O, u32 kh, u32 kw, u32 sy, u32 sx, u32 top,
                                          u32 left, u32 OH, u32 OW) {
    typedef typename AccOf<K>::T A;
    // f32/f64 outputs hold the sums of finished 512-entry blocks exactly (same type as the
    // accumulator), which frees 32 registers; f16 outputs cannot, so those stay in registers.
    constexpr bool in_output = sizeof(K) == sizeof(A);
    alignas(16) __shared__ unsigned char smem[(CONV_BK * (CONV_WS + CONV_BN)) * sizeof(double)];
    A* ws = reinterpret_cast<A*>(smem);   // [BK][WS]: w[o0 + o, k0 + kk] at kk * WS + o
    A* xs = ws + CONV_BK * CONV_WS;       // [BK][BN]: x[k0 + kk, n0 + n] at kk * BN + n

    const u32 tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const u32 khw = kh * kw, nk = C * khw, P = OH * OW;
    const u64 chw = (u64)C * H * W, N = frames * P;
    const u64 o_tiles = (O + CONV_BM - 1) / CONV_BM, n_tiles = (N + CONV_BN - 1) / CONV_BN;

    for (u64 tile = blockIdx.x; tile < o_tiles * n_tiles; tile += gridDim.x) {
        const u32 o0 = (u32)(tile % o_tiles) * CONV_BM;
        const u64 n0 = (tile / o_tiles) * CONV_BN;

        // This thread gathers patch row kk = ty of every k step, at positions tx + 16 m.
        u64 base[8];
        int iy[8], jx[8];
#pragma unroll
        for (int m = 0; m < 8; ++m) {
            const u64 n = n0 + tx + 16 * m;
            if (n < N) {
                const u64 f = n / P;
                const u32 p = (u32)(n - f * P), i = p / OW, j = p - i * OW;
                base[m] = f * chw;
                iy[m] = (int)(i * sy) - (int)top;
                jx[m] = (int)(j * sx) - (int)left;
            } else {
                base[m] = 0;
                iy[m] = -(1 << 30); // every row out of range: reads as zero
                jx[m] = 0;
            }
        }

        A acc[4][8], total[4][8];
#pragma unroll
        for (int a = 0; a < 4; ++a)
#pragma unroll
            for (int b = 0; b < 8; ++b) acc[a][b] = total[a][b] = (A)0;

        A xr[8], wr[4];
        bool live = false; // a non-zero input or a non-finite weight among this thread's loads
        auto load = [&](u32 k0) {
            live = false;
            const u32 k = k0 + ty;
            if (k < nk) {
                const u32 c = k / khw, r = k - c * khw, u = r / kw, v = r - u * kw;
                const u64 coff = (u64)c * H * W;
#pragma unroll
                for (int m = 0; m < 8; ++m) {
                    const int yy = iy[m] + (int)u, xx = jx[m] + (int)v;
                    A val = (A)0;
                    if ((u32)yy < H && (u32)xx < W)
                        val = to_acc<I, K>(x[base[m] + coff + (u64)yy * W + (u32)xx]);
                    xr[m] = val;
                    live |= val != (A)0;
                }
            } else {
#pragma unroll
                for (int m = 0; m < 8; ++m) xr[m] = (A)0;
            }
            const u32 kw_ = k0 + tx;
#pragma unroll
            for (int m = 0; m < 4; ++m) {
                const u32 o = o0 + ty + 16 * m;
                A val = (A)0;
                if (o < O && kw_ < nk) val = cast<A, K>(w[(u64)o * nk + kw_]);
                wr[m] = val;
                live |= non_finite(val);
            }
        };

        load(0);
        for (u32 k0 = 0; k0 < nk; k0 += CONV_BK) {
#pragma unroll
            for (int m = 0; m < 8; ++m) xs[ty * CONV_BN + tx + 16 * m] = xr[m];
#pragma unroll
            for (int m = 0; m < 4; ++m) ws[tx * CONV_WS + ty + 16 * m] = wr[m];
            const bool any = __syncthreads_or(live);
            if (k0 > 0 && k0 % SUM_BLOCK == 0) {
                if constexpr (in_output) {
                    // The block sums so far live in this thread's own output elements.
#pragma unroll
                    for (int b = 0; b < 8; ++b) {
                        const u64 n = n0 + (b < 4 ? tx * 4 + b : 64 + tx * 4 + (b - 4));
                        const u64 f = n / P, p = n - f * P;
                        K* dst = y + f * O * P + p;
#pragma unroll
                        for (int a = 0; a < 4; ++a) {
                            const u32 o = o0 + ty * 4 + a;
                            if (n < N && o < O) {
                                K* e = dst + (u64)o * P;
                                *e = k0 == SUM_BLOCK ? acc[a][b] : *e + acc[a][b];
                            }
                            acc[a][b] = (A)0;
                        }
                    }
                } else {
#pragma unroll
                    for (int a = 0; a < 4; ++a)
#pragma unroll
                        for (int b = 0; b < 8; ++b) {
                            total[a][b] = k0 == SUM_BLOCK ? acc[a][b] : total[a][b] + acc[a][b];
                            acc[a][b] = (A)0;
                        }
                }
            }
            // The next step's global loads are in flight while this one computes.
            if (k0 + CONV_BK < nk) load(k0 + CONV_BK);
            if (any) {
#pragma unroll
                for (int kk = 0; kk < CONV_BK; ++kk) {
                    A a4[4], b8[8];
                    ld4(ws + kk * CONV_WS + ty * 4, a4);
                    ld4(xs + kk * CONV_BN + tx * 4, b8);
                    ld4(xs + kk * CONV_BN + 64 + tx * 4, b8 + 4);
#pragma unroll
                    for (int a = 0; a < 4; ++a)
#pragma unroll
                        for (int b = 0; b < 8; ++b) acc[a][b] = fma_rn(a4[a], b8[b], acc[a][b]);
                }
            }
            __syncthreads();
        }

#pragma unroll
        for (int b = 0; b < 8; ++b) {
            const u64 n = n0 + (b < 4 ? tx * 4 + b : 64 + tx * 4 + (b - 4));
            if (n >= N) continue;
            const u64 f = n / P, p = n - f * P;
            K* dst = y + f * O * P + p;
#pragma unroll
            for (int a = 0; a < 4; ++a) {
                const u32 o = o0 + ty * 4 + a;
                if (o < O) {
                    A s = acc[a][b];
                    if (nk > SUM_BLOCK) {
                        if constexpr (in_output) s = dst[(u64)o * P] + s;
                        else s = total[a][b] + s;
                    }
                    dst[(u64)o * P] = cast<K, A>(s);
                }
            }
        }
    }
}

// spk_conv_<input>_<kernel>: x [frames, C, H, W], w [O, C, kh, kw], y [frames, O, OH, OW], all
// contiguous; launched with exactly 256 threads per block.
#define SPK_CONV(I, K, MIN_BLOCKS) \
    extern "C" __global__ void __launch_bounds__(256, MIN_BLOCKS) spk_conv_##I##_##K( \
        const I* __restrict__ x, const K* __restrict__ w, K* __restrict__ y, u64 frames, u64 c, \
        u64 h, u64 wd, u64 o, u64 kh, u64 kw, u64 sy, u64 sx, u64 top, u64 left, u64 oh, \
        u64 ow) { \
        conv_body<I, K>(x, w, y, frames, (u32)c, (u32)h, (u32)wd, (u32)o, (u32)kh, (u32)kw, \
                        (u32)sy, (u32)sx, (u32)top, (u32)left, (u32)oh, (u32)ow); \
    }
// Two resident blocks per SM for f32 kernels (at most 128 registers per thread). Inputs are u8
// spikes or of the kernel's dtype; the host converts other inputs to the kernel dtype first (the
// kernel's own first step), which keeps this file small to compile.
SPK_CONV(u8, f16, 1)
SPK_CONV(u8, f32, 2)
SPK_CONV(u8, f64, 1)
SPK_CONV(f16, f16, 1)
SPK_CONV(f32, f32, 2)
SPK_CONV(f64, f64, 1)
