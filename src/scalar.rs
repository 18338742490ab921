//! Typed scalar values used as operation arguments (thresholds, fill values...).

use crate::{DType, Element};
use half::f16;

/// A single value with its type, like the original's `Scalar`.
///
/// Operations convert a scalar argument to the element type of the tensor they work on with the
/// original's rules (spec §1.4): floats truncate toward zero when the target is an integer type and
/// out-of-range values wrap as in the reference build (`-1.0` on a u8 tensor is 255).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F16(f16),
    F32(f32),
    F64(f64),
}

impl Scalar {
    /// The dtype of the stored value.
    pub fn dtype(&self) -> DType {
        match self {
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::U8(_) => DType::U8,
            Scalar::U16(_) => DType::U16,
            Scalar::U32(_) => DType::U32,
            Scalar::U64(_) => DType::U64,
            Scalar::F16(_) => DType::F16,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// Converts to an element type: float sources follow §1.4, integer sources C++ casts.
    pub fn to<T: Element>(self) -> T {
        match self {
            Scalar::I8(v) => T::from_i8(v),
            Scalar::I16(v) => T::from_i16(v),
            Scalar::I32(v) => T::from_i32(v),
            Scalar::I64(v) => T::from_i64(v),
            Scalar::U8(v) => T::from_u8(v),
            Scalar::U16(v) => T::from_u16(v),
            Scalar::U32(v) => T::from_u32(v),
            Scalar::U64(v) => T::from_u64(v),
            Scalar::F16(v) => T::from_scalar(v.to_f64()),
            Scalar::F32(v) => T::from_scalar(v as f64),
            Scalar::F64(v) => T::from_scalar(v),
        }
    }

    /// Converts to a scalar of another dtype with the same rules as [`Scalar::to`].
    pub fn cast(self, dtype: DType) -> Scalar {
        crate::with_dtype!(dtype, T => Scalar::from(self.to::<T>()))
    }

    /// The value as f64 (exact except for 64-bit integers beyond 2^53).
    pub fn to_f64(self) -> f64 {
        self.to::<f64>()
    }
}

macro_rules! scalar_from {
    ($t:ty, $v:ident) => {
        impl From<$t> for Scalar {
            fn from(x: $t) -> Scalar {
                Scalar::$v(x)
            }
        }
    };
}
scalar_from!(i8, I8);
scalar_from!(i16, I16);
scalar_from!(i32, I32);
scalar_from!(i64, I64);
scalar_from!(u8, U8);
scalar_from!(u16, U16);
scalar_from!(u32, U32);
scalar_from!(u64, U64);
scalar_from!(f16, F16);
scalar_from!(f32, F32);
scalar_from!(f64, F64);

impl Default for Scalar {
    fn default() -> Self {
        Scalar::F64(0.0)
    }
}
