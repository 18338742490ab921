//! CPU kernels, one file per op family. Called only from `crate::ops` / `crate::nn`, which have
//! already validated shapes and dtypes.

pub(crate) mod backprop;
pub(crate) mod canny;
pub(crate) mod code;
pub(crate) mod conv;
pub(crate) mod fc;
pub(crate) mod filter;
pub(crate) mod fire;
pub(crate) mod fused;
pub(crate) mod fused_step;
pub(crate) mod inhibit;
pub(crate) mod introsort;
pub(crate) mod pool;
pub(crate) mod stdp;
pub(crate) mod wta;
pub(crate) mod zca;

/// A xorshift64 generator (shifts 13, 7, 17) for the kernels' unit tests: random inputs without
/// a dependency, the same sequence for a seed on every machine.
#[cfg(test)]
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// Whether the CPU runs AVX2 and FMA code. The library is built for baseline x86-64; the hot
/// loops have `#[target_feature(enable = "avx2,fma")]` copies chosen by this check (their
/// arithmetic is the same: Rust never contracts a product and a sum into an FMA by itself).
pub(crate) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
