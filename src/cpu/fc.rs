//! CPU kernels of the `fc` family: `out[r, o] = Σ_i in[r, i] · K[o, i]` for every row `r` of a
//! `[B·T, I]` input, as GEMMs over fixed blocks of rows.
//!
//! The blocks have a fixed size (not derived from the thread count), so every output bit is the
//! same for any number of threads.

use super::conv::{as_acc_mut, to_acc, Acc, Kernel};
use crate::Element;
use rayon::prelude::*;

/// Rows per GEMM block.
const ROWS: usize = 64;

/// The kernel value, or its sign (−1, 0, +1; 0 for NaN) when `sign` is set.
fn weight<T: Kernel>(w: T, sign: bool) -> T::Acc {
    let w = w.cast::<T::Acc>();
    if !sign {
        return w;
    }
    let zero = <T::Acc as Element>::zero();
    let one = <T::Acc as Element>::one();
    if w > zero {
        one
    } else if w < zero {
        one.wneg()
    } else {
        zero
    }
}

/// `input` is `[rows, inputs]`, `kernel` `[outputs, inputs]`, `out` `[rows, outputs]`.
pub(crate) fn fc<I: Element, T: Kernel>(
    input: &[I],
    kernel: &[T],
    out: &mut [T],
    inputs: usize,
    outputs: usize,
    sign: bool,
) {
    debug_assert_eq!(kernel.len(), outputs * inputs);
    debug_assert_eq!(input.len() / inputs, out.len() / outputs);
    let weights: Vec<T::Acc> = kernel.iter().map(|w| weight(*w, sign)).collect();
    let zero = <T::Acc as Element>::zero();
    let direct = as_acc_mut::<T>(out).is_some();

    let run = |x: &mut Vec<T::Acc>, scratch: &mut Vec<T::Acc>, b: usize, dst: &mut [T]| {
        let rows = dst.len() / outputs;
        let src = &input[b * ROWS * inputs..(b * ROWS + rows) * inputs];
        x.clear();
        x.extend(src.iter().map(|v| to_acc::<I, T>(*v)));
        scratch.resize(if direct { 0 } else { rows * outputs }, zero);
        let target: &mut [T::Acc] = match as_acc_mut::<T>(dst) {
            Some(d) => d,
            None => scratch.as_mut_slice(),
        };
        // SAFETY: x is [rows × inputs], weights [outputs × inputs] read as its transpose
        // [inputs × outputs], target [rows × outputs], all in bounds for these strides.
        unsafe {
            T::Acc::gemm(
                rows,
                outputs,
                inputs,
                false,
                target.as_mut_ptr(),
                outputs as isize,
                1,
                x.as_ptr(),
                inputs as isize,
                1,
                weights.as_ptr(),
                1,
                inputs as isize,
            );
        }
        if !direct {
            for (d, s) in dst.iter_mut().zip(scratch.iter()) {
                *d = s.cast::<T>();
            }
        }
    };

    crate::runtime::install(|| {
        out.par_chunks_mut(ROWS * outputs)
            .enumerate()
            .for_each_init(
                || (Vec::with_capacity(ROWS * inputs), Vec::new()),
                |(x, scratch), (b, dst)| run(x, scratch, b, dst),
            );
    });
}
