// Prelude prepended to every kernels/*.cu file before NVRTC compiles it (see src/cuda/kernels.rs).
// Header-free on purpose: the library needs only libnvrtc at run time, no CUDA headers.
//
// Conventions
// - Element types are named like the Rust dtypes: i8 .. u64, f16, f32, f64. f16 is stored as its
//   IEEE bits and converted with the PTX cvt instructions (round to nearest even).
// - Every kernel is `extern "C"` (no name mangling; the host looks it up by name) and uses a
//   grid-stride loop, so any grid size is correct.
// - Scalar arguments arrive as 64-bit words holding the value's bytes (low bytes first), already
//   converted on the host to the element type with the library's rules (spec 1.4).
// - Conversions follow src/dtype.rs exactly: integer to integer wraps, integer to float rounds to
//   nearest, float to integer truncates and saturates (NaN -> 0), anything to f16 goes through f32
//   (as the CPU path does with F16C).

typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef float f32;
typedef double f64;
struct f16 {
    unsigned short bits;
};

// The 11 element types, twice: X-macros cannot expand themselves recursively.
#define SPK_TYPES(X) X(i8) X(i16) X(i32) X(i64) X(u8) X(u16) X(u32) X(u64) X(f16) X(f32) X(f64)
#define SPK_TYPES2(X, A) \
    X(A, i8) X(A, i16) X(A, i32) X(A, i64) X(A, u8) X(A, u16) X(A, u32) X(A, u64) X(A, f16) \
    X(A, f32) X(A, f64)

#define SPK_LOOP(i, n) \
    for (u64 i = (u64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (u64)gridDim.x * blockDim.x)

__device__ __forceinline__ float h2f(f16 h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.bits));
    return f;
}

__device__ __forceinline__ f16 f2h(float f) {
    f16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"(f));
    return h;
}

template <class T> struct Traits;
#define SPK_INT_TRAITS(T, SIGNED, LO, HI_EXCL, MINV, MAXV) \
    template <> struct Traits<T> { \
        static constexpr bool is_int = true; \
        static constexpr bool is_half = false; \
        static constexpr bool is_signed = SIGNED; \
        static __device__ __forceinline__ double lo() { return LO; } \
        static __device__ __forceinline__ double hi_excl() { return HI_EXCL; } \
        static __device__ __forceinline__ T min_v() { return MINV; } \
        static __device__ __forceinline__ T max_v() { return MAXV; } \
    };
SPK_INT_TRAITS(i8, true, -128.0, 128.0, (i8)-128, (i8)127)
SPK_INT_TRAITS(i16, true, -32768.0, 32768.0, (i16)-32768, (i16)32767)
SPK_INT_TRAITS(i32, true, -2147483648.0, 2147483648.0, (i32)(-2147483647 - 1), (i32)2147483647)
SPK_INT_TRAITS(i64, true, -9223372036854775808.0, 9223372036854775808.0,
               (i64)(-9223372036854775807LL - 1), (i64)9223372036854775807LL)
SPK_INT_TRAITS(u8, false, 0.0, 256.0, (u8)0, (u8)255)
SPK_INT_TRAITS(u16, false, 0.0, 65536.0, (u16)0, (u16)65535)
SPK_INT_TRAITS(u32, false, 0.0, 4294967296.0, (u32)0, (u32)4294967295u)
SPK_INT_TRAITS(u64, false, 0.0, 18446744073709551616.0, (u64)0, (u64)18446744073709551615ull)
#define SPK_FLOAT_TRAITS(T, HALF) \
    template <> struct Traits<T> { \
        static constexpr bool is_int = false; \
        static constexpr bool is_half = HALF; \
        static constexpr bool is_signed = true; \
    };
SPK_FLOAT_TRAITS(f16, true)
SPK_FLOAT_TRAITS(f32, false)
SPK_FLOAT_TRAITS(f64, false)

// Float to integer like Rust `as`: truncate toward zero, saturate, NaN -> 0.
template <class D> __device__ __forceinline__ D sat_int(double v) {
    if (v != v) return (D)0;
    if (v <= Traits<D>::lo()) return Traits<D>::min_v();
    if (v >= Traits<D>::hi_excl()) return Traits<D>::max_v();
    return (D)v;
}

// Element conversion with the library's rules (see the header comment).
template <class D, class S> __device__ __forceinline__ D cast(S v) {
    if constexpr (Traits<S>::is_half) {
        return cast<D, float>(h2f(v));
    } else if constexpr (Traits<D>::is_half) {
        return f2h((float)v);
    } else if constexpr (Traits<D>::is_int && !Traits<S>::is_int) {
        return sat_int<D>((double)v);
    } else {
        return (D)v;
    }
}

// The value of a scalar argument word.
template <class T> __device__ __forceinline__ T from_bits(u64 b) {
    T r;
    memcpy(&r, &b, sizeof(T));
    return r;
}

template <class T> __device__ __forceinline__ T zero() { return cast<T, int>(0); }
template <class T> __device__ __forceinline__ T one() { return cast<T, int>(1); }

// Comparisons in the element type (f16 compares exactly through f32).
template <class T> __device__ __forceinline__ bool lt(T a, T b) {
    if constexpr (Traits<T>::is_half) return h2f(a) < h2f(b);
    else return a < b;
}
template <class T> __device__ __forceinline__ bool le(T a, T b) {
    if constexpr (Traits<T>::is_half) return h2f(a) <= h2f(b);
    else return a <= b;
}

// a + b in the element type: integers wrap (computed unsigned, no UB), f16 rounds through f32
// like the `half` crate.
template <class T> __device__ __forceinline__ T add(T a, T b) {
    if constexpr (Traits<T>::is_half) return f2h(h2f(a) + h2f(b));
    else if constexpr (Traits<T>::is_int) return (T)((u64)a + (u64)b);
    else return a + b;
}

// a * b in the element type: integers wrap (computed unsigned), f16 rounds through f32 like the
// `half` crate.
template <class T> __device__ __forceinline__ T mul(T a, T b) {
    if constexpr (Traits<T>::is_half) return f2h(h2f(a) * h2f(b));
    else if constexpr (Traits<T>::is_int) return (T)((u64)a * (u64)b);
    else return a * b;
}
