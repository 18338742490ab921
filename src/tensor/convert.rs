//! Element-wise dtype conversion and `ndarray` interop.

use super::Tensor;
use crate::{Element, Error, Result};
use ndarray::{ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, Data, Dimension, IxDyn};
use rayon::prelude::*;

/// Above this many elements a conversion is split across the library's threads.
const PARALLEL_MIN: usize = 1 << 16;

fn convert_slice<S: Element, D: Element>(src: &[S], dst: &mut [D]) {
    if src.len() >= PARALLEL_MIN {
        crate::runtime::install(|| {
            dst.par_chunks_mut(PARALLEL_MIN)
                .zip(src.par_chunks(PARALLEL_MIN))
                .for_each(|(d, s)| d.iter_mut().zip(s).for_each(|(d, s)| *d = s.cast::<D>()));
        })
    } else {
        dst.iter_mut()
            .zip(src)
            .for_each(|(d, s)| *d = s.cast::<D>());
    }
}

/// Copies `src` into `dst` (same element count, different storages, both on the CPU).
pub(super) fn convert(src: &Tensor, dst: &Tensor) -> Result<()> {
    crate::with_dtype!(src.dtype(), S => {
        let s = src.read::<S>()?;
        crate::with_dtype!(dst.dtype(), D => {
            let mut d = dst.write::<D>()?;
            convert_slice::<S, D>(&s, &mut d);
        })
    });
    Ok(())
}

impl Tensor {
    /// A CPU tensor copying an `ndarray` array or view of any dimensionality and layout.
    pub fn from_ndarray<T: Element, S: Data<Elem = T>, D: Dimension>(
        a: &ArrayBase<S, D>,
    ) -> Result<Tensor> {
        let shape = a.shape().to_vec();
        if a.ndim() == 0 {
            return Tensor::from_vec(a.iter().copied().collect(), &[1]);
        }
        Tensor::from_vec(a.iter().copied().collect(), &shape)
    }

    /// The elements as a new `ndarray` array (the dtype must be `T`).
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        let v = self.to_vec::<T>()?;
        ArrayD::from_shape_vec(IxDyn(self.shape()), v).map_err(|e| Error::Shape(e.to_string()))
    }

    /// Calls `f` with a zero-copy `ndarray` view of the elements (the dtype must be `T`).
    pub fn with_ndarray<T: Element, R>(&self, f: impl FnOnce(ArrayViewD<'_, T>) -> R) -> Result<R> {
        let g = self.read::<T>()?;
        let v = ArrayViewD::from_shape(IxDyn(self.shape()), &g)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(f(v))
    }

    /// Calls `f` with a zero-copy mutable `ndarray` view of the elements.
    pub fn with_ndarray_mut<T: Element, R>(
        &self,
        f: impl FnOnce(ArrayViewMutD<'_, T>) -> R,
    ) -> Result<R> {
        let mut g = self.write::<T>()?;
        let v = ArrayViewMutD::from_shape(IxDyn(self.shape()), &mut g)
            .map_err(|e| Error::Shape(e.to_string()))?;
        Ok(f(v))
    }
}

#[cfg(test)]
mod tests {
    use crate::{DType, Tensor};

    #[test]
    fn all_pairs_round_trip_small_integers() {
        let vals: Vec<i8> = vec![0, 1, 2, 3, 100, 127];
        let base = Tensor::from_vec(vals.clone(), &[2, 3]).unwrap();
        for a in DType::ALL {
            let ta = base.to_dtype(a).unwrap();
            for b in DType::ALL {
                let back = ta.to_dtype(b).unwrap().to_dtype(DType::I8).unwrap();
                assert_eq!(back.to_vec::<i8>().unwrap(), vals, "{a} -> {b}");
            }
        }
    }

    #[test]
    fn large_conversion_is_parallel_and_exact() {
        let n = (1 << 17) + 3;
        let v: Vec<u16> = (0..n).map(|i| (i % 65536) as u16).collect();
        let t = Tensor::from_vec(v.clone(), &[n]).unwrap();
        let f = t.to_dtype(DType::F32).unwrap().to_vec::<f32>().unwrap();
        assert!(f.iter().zip(&v).all(|(a, b)| *a == *b as f32));
    }
}
