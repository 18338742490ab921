// Fully connected integration (spec 6.2) as a tiled GEMM: y[r, o] = sum_i x[r, i] w[o, i] for every
// row r = (b, t) of the input. Each output is summed by one thread in increasing i with a fused
// multiply-add from +0.0 (f32 for f16/f32 kernels, f64 for f64 kernels). The CPU's GEMM library
// splits long sums and vectorises differently, so results agree to rounding (exactly whenever
// every partial sum is exact, e.g. spikes and integer-valued kernels).
//
// Tile: 64 rows x 64 outputs, 16 inputs per step, 256 threads each owning 4 x 4 outputs. Both
// operands are read along i (contiguous in memory) and stored transposed in shared memory. Tiles
// whose inputs are all zero and whose weights are all finite add only +-0 and are skipped.

#define FC_BM 64
#define FC_BN 64
#define FC_BK 16
#define FC_S (FC_BM + 4) // shared row stride: fewer bank conflicts on the transposing stores

template <class K> struct FcAcc {
    typedef float T;
};
template <> struct FcAcc<f64> {
    typedef double T;
};

__device__ __forceinline__ float fc_fma(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ __forceinline__ double fc_fma(double a, double b, double c) { return __fma_rn(a, b, c); }

// The CPU's `weight`: the value, or its sign (-1, 0, +1; 0 for NaN) with `sign`.
template <class A> __device__ __forceinline__ A fc_weight(A v, bool sign) {
    if (!sign) return v;
    return v > (A)0 ? (A)1 : (v < (A)0 ? (A)-1 : (A)0);
}

template <class I, class K>
__device__ __forceinline__ void fc_body(const I* __restrict__ x, const K* __restrict__ w,
                                        K* __restrict__ y, u64 rows, u64 ni, u64 no, bool sign) {
    typedef typename FcAcc<K>::T A;
    alignas(16) __shared__ A xs[FC_BK * FC_S]; // x[r0 + r, i0 + kk] at kk * S + r
    alignas(16) __shared__ A ws[FC_BK * FC_S]; // w[o0 + o, i0 + kk] at kk * S + o

    const u32 tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    const u64 r_tiles = (rows + FC_BM - 1) / FC_BM, o_tiles = (no + FC_BN - 1) / FC_BN;
    for (u64 tile = blockIdx.x; tile < r_tiles * o_tiles; tile += gridDim.x) {
        const u64 o0 = (tile % o_tiles) * FC_BN, r0 = (tile / o_tiles) * FC_BM;
        A acc[4][4];
#pragma unroll
        for (int a = 0; a < 4; ++a)
#pragma unroll
            for (int b = 0; b < 4; ++b) acc[a][b] = (A)0;

        A xr[4], wr[4];
        bool live = false;
        // Thread loads column i0 + tx of rows/outputs ty + 16 m.
        auto load = [&](u64 i0) {
            live = false;
            const u64 i = i0 + tx;
#pragma unroll
            for (int m = 0; m < 4; ++m) {
                const u64 r = r0 + ty + 16 * m, o = o0 + ty + 16 * m;
                A xv = (A)0, wv = (A)0;
                if (i < ni && r < rows) xv = cast<A, K>(cast<K, I>(x[r * ni + i]));
                if (i < ni && o < no) wv = fc_weight<A>(cast<A, K>(w[o * ni + i]), sign);
                xr[m] = xv;
                wr[m] = wv;
                live |= xv != (A)0 || (wv - wv) != (A)0;
            }
        };

        load(0);
        for (u64 i0 = 0; i0 < ni; i0 += FC_BK) {
#pragma unroll
            for (int m = 0; m < 4; ++m) {
                xs[tx * FC_S + ty + 16 * m] = xr[m];
                ws[tx * FC_S + ty + 16 * m] = wr[m];
            }
            const bool any = __syncthreads_or(live);
            if (i0 + FC_BK < ni) load(i0 + FC_BK);
            if (any) {
#pragma unroll
                for (int kk = 0; kk < FC_BK; ++kk) {
                    A a4[4], b4[4];
#pragma unroll
                    for (int q = 0; q < 4; ++q) {
                        a4[q] = xs[kk * FC_S + ty * 4 + q];
                        b4[q] = ws[kk * FC_S + tx * 4 + q];
                    }
#pragma unroll
                    for (int a = 0; a < 4; ++a)
#pragma unroll
                        for (int b = 0; b < 4; ++b) acc[a][b] = fc_fma(b4[b], a4[a], acc[a][b]);
                }
            }
            __syncthreads();
        }

#pragma unroll
        for (int a = 0; a < 4; ++a) {
            const u64 r = r0 + ty * 4 + a;
            if (r >= rows) continue;
#pragma unroll
            for (int b = 0; b < 4; ++b) {
                const u64 o = o0 + tx * 4 + b;
                if (o < no) y[r * no + o] = cast<K, A>(acc[a][b]);
            }
        }
    }
}

// spk_fc_<input>_<kernel>: x [rows, I], w [O, I], y [rows, O], contiguous; `sign` 0 or 1;
// launched with exactly 256 threads per block.
#define SPK_FC(I, K) \
    extern "C" __global__ void __launch_bounds__(256) spk_fc_##I##_##K( \
        const I* __restrict__ x, const K* __restrict__ w, K* __restrict__ y, u64 rows, u64 ni, \
        u64 no, u64 sign) { \
        fc_body<I, K>(x, w, y, rows, ni, no, sign != 0); \
    }
// Inputs are u8 spikes or of the kernel's dtype; the host converts other inputs first.
SPK_FC(u8, f16)
SPK_FC(u8, f32)
SPK_FC(u8, f64)
SPK_FC(f16, f16)
SPK_FC(f32, f32)
SPK_FC(f64, f64)
