//! Winner lists (the result of `convwta` / `fcwta`, the input of STDP).

use super::*;
use crate::{Error, Winner, Winners};

/// A selected neuron. For fully connected layers the neuron index is in `x` and `z = y = 0`.
/// This record is frozen (it mirrors the original's `Winner`); a new field would come as a new
/// struct, so it carries no size field.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct spk_winner {
    /// Index into the layer's STDP configurations; negative = skip this winner.
    pub c: i64,
    /// Spike time (sparse winner-take-all only; 0 otherwise).
    pub t: i64,
    /// Output channel.
    pub z: i64,
    /// Row.
    pub y: i64,
    /// Column (or neuron index for FC layers).
    pub x: i64,
}

impl From<Winner> for spk_winner {
    fn from(w: Winner) -> Self {
        spk_winner {
            c: w.c,
            t: w.t,
            z: w.z,
            y: w.y,
            x: w.x,
        }
    }
}

impl From<spk_winner> for Winner {
    fn from(w: spk_winner) -> Self {
        Winner {
            c: w.c,
            t: w.t,
            z: w.z,
            y: w.y,
            x: w.x,
        }
    }
}

/// Winners per sample, in selection order (opaque). Free with `spk_winners_free`.
pub struct spk_winners {
    pub(crate) inner: Winners,
}

/// The winners behind a handle argument.
pub(crate) unsafe fn winners<'a>(
    p: *const spk_winners,
    name: &'static str,
) -> FfiResult<&'a Winners> {
    Ok(&unsafe { arg(p, name) }?.inner)
}

fn sample_mut(w: &mut Winners, sample: usize) -> crate::Result<&mut Vec<Winner>> {
    let n = w.len();
    w.get_mut(sample)
        .ok_or_else(|| Error::Argument(format!("expected a sample index below {n}, got {sample}")))
}

fn sample_ref(w: &Winners, sample: usize) -> crate::Result<&Vec<Winner>> {
    w.get(sample).ok_or_else(|| {
        Error::Argument(format!(
            "expected a sample index below {}, got {sample}",
            w.len()
        ))
    })
}

/// Creates an empty winner list for `batch` samples (batch may be 0). The caller frees `*out`
/// with `spk_winners_free`.
#[no_mangle]
pub unsafe extern "C" fn spk_winners_create(
    batch: usize,
    out: *mut *mut spk_winners,
) -> spk_status {
    guard(|| unsafe {
        put_handle(
            out,
            "out",
            spk_winners {
                inner: vec![Vec::new(); batch],
            },
        )
    })
}

/// Frees a winner list. NULL is a no-op; freeing twice is undefined behaviour.
#[no_mangle]
pub unsafe extern "C" fn spk_winners_free(winners: *mut spk_winners) {
    let _ = guard(|| {
        unsafe { free_handle(winners) };
        Ok(())
    });
}

/// Writes the number of samples to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_winners_batch(
    winners: *const spk_winners,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe { put(out, "out", arg(winners, "winners")?.inner.len()) })
}

/// Writes the number of winners of sample `sample` (< batch) to `*out`.
#[no_mangle]
pub unsafe extern "C" fn spk_winners_count(
    winners: *const spk_winners,
    sample: usize,
    out: *mut usize,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let w = arg(winners, "winners")?;
        put(out, "out", sample_ref(&w.inner, sample)?.len())
    })
}

/// Copies winner `index` of sample `sample` to `*out`; both indices must be in range.
#[no_mangle]
pub unsafe extern "C" fn spk_winners_get(
    winners: *const spk_winners,
    sample: usize,
    index: usize,
    out: *mut spk_winner,
) -> spk_status {
    guard(|| unsafe {
        check_out(out, "out")?;
        let w = arg(winners, "winners")?;
        let s = sample_ref(&w.inner, sample)?;
        let win = s.get(index).ok_or_else(|| {
            Error::Argument(format!(
                "expected a winner index below {} for sample {sample}, got {index}",
                s.len()
            ))
        })?;
        put(out, "out", (*win).into())
    })
}

/// Appends a copy of `*winner` to sample `sample` (< batch).
#[no_mangle]
pub unsafe extern "C" fn spk_winners_push(
    winners: *mut spk_winners,
    sample: usize,
    winner: *const spk_winner,
) -> spk_status {
    guard(|| unsafe {
        let w = arg_mut(winners, "winners")?;
        let win = *arg(winner, "winner")?;
        sample_mut(&mut w.inner, sample)?.push(win.into());
        Ok(())
    })
}

/// Removes every winner of every sample (the batch size stays).
#[no_mangle]
pub unsafe extern "C" fn spk_winners_clear(winners: *mut spk_winners) -> spk_status {
    guard(|| unsafe {
        arg_mut(winners, "winners")?
            .inner
            .iter_mut()
            .for_each(Vec::clear);
        Ok(())
    })
}
