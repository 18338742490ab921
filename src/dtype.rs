//! Element types: the [`DType`] tag, the [`Element`] trait implemented by the 11 Rust types, and
//! the macros that turn a runtime dtype into a monomorphised call.

use crate::{Error, Result};
use half::f16;
use num_traits::AsPrimitive;
use std::fmt;
use std::str::FromStr;

/// The 11 element types of the original library (same order and numbering as its `Type` enum).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    I8 = 0,
    I16 = 1,
    I32 = 2,
    I64 = 3,
    U8 = 4,
    U16 = 5,
    U32 = 6,
    U64 = 7,
    F16 = 8,
    F32 = 9,
    F64 = 10,
}

impl DType {
    /// All dtypes in enum order.
    pub const ALL: [DType; 11] = [
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F16,
        DType::F32,
        DType::F64,
    ];

    /// Size of one element in bytes.
    pub const fn size(self) -> usize {
        match self {
            DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 | DType::F16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// The lower-case name used by the original ("i8" .. "f64").
    pub const fn name(self) -> &'static str {
        match self {
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F16 => "f16",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// True for f16, f32 and f64.
    pub const fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::F32 | DType::F64)
    }

    /// True for the signed integer types.
    pub const fn is_signed_int(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// The dtype with the given enum value (as used by the C ABI).
    pub fn from_index(i: i32) -> Result<DType> {
        DType::ALL
            .get(usize::try_from(i).unwrap_or(usize::MAX))
            .copied()
            .ok_or_else(|| Error::DType(format!("expected a dtype code in 0..=10, got {i}")))
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DType {
    type Err = Error;
    /// Parses "i8" .. "f64" (case-sensitive, like the original binding).
    fn from_str(s: &str) -> Result<DType> {
        DType::ALL
            .iter()
            .copied()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                Error::DType(format!(
                    "expected one of i8, i16, i32, i64, u8, u16, u32, u64, f16, f32, f64, got {s:?}"
                ))
            })
    }
}

/// A Rust type that can be the element of a [`crate::Tensor`].
///
/// Conversions between element types follow C++ `static_cast` where that is defined and Rust `as`
/// (saturating, NaN to 0) where C++ is undefined (spec §1.5). Arithmetic helpers wrap for integers,
/// as C++ does once the result is stored back into the narrow type.
pub trait Element:
    Copy + Send + Sync + 'static + bytemuck::Pod + PartialOrd + PartialEq + Default + fmt::Debug
{
    /// The dtype tag of this type.
    const DTYPE: DType;

    /// The initial value of max-reductions in the original (`Limits<T>::min()`, spec §1.1):
    /// the minimum for integers, `-MAX` for f32/f64, and the original's quirky `+2^-14` for f16.
    fn lowest() -> Self;
    /// The true most negative finite value of the type.
    fn min_value() -> Self;
    /// The largest finite value of the type.
    fn max_value() -> Self;
    fn zero() -> Self;
    fn one() -> Self;

    /// Converts a scalar argument with the original's rules (spec §1.4): truncation toward zero,
    /// out-of-range values wrapped as the reference x86-64 build does.
    fn from_scalar(v: f64) -> Self;
    /// Converts to f64 (exact for every type except u64/i64 beyond 2^53).
    fn to_f64(self) -> f64;
    /// Element-wise conversion to another element type (spec §1.5).
    fn cast<U: Element>(self) -> U;

    fn from_i8(v: i8) -> Self;
    fn from_i16(v: i16) -> Self;
    fn from_i32(v: i32) -> Self;
    fn from_i64(v: i64) -> Self;
    fn from_u8(v: u8) -> Self;
    fn from_u16(v: u16) -> Self;
    fn from_u32(v: u32) -> Self;
    fn from_u64(v: u64) -> Self;
    fn from_f16(v: f16) -> Self;
    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;

    /// `a + b`, wrapping for integers.
    fn wadd(self, o: Self) -> Self;
    /// `a - b`, wrapping for integers.
    fn wsub(self, o: Self) -> Self;
    /// `a * b`, wrapping for integers.
    fn wmul(self, o: Self) -> Self;
    /// `-a`, wrapping for integers (so unsigned types wrap as in C++).
    fn wneg(self) -> Self;
    /// True for NaN values (always false for integers).
    fn is_nan(self) -> bool;
}

/// x86-64 `cvttsd2si` with a 32-bit destination: truncation, 0x8000_0000 when out of range or NaN.
#[inline]
fn trunc_i32_x86(v: f64) -> i32 {
    if !(v > -2147483649.0 && v < 2147483648.0) {
        i32::MIN
    } else {
        v as i32
    }
}

/// x86-64 `cvttsd2si` with a 64-bit destination.
#[inline]
fn trunc_i64_x86(v: f64) -> i64 {
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

macro_rules! from_prims {
    ($t:ty) => {
        #[inline]
        fn from_i8(v: i8) -> Self {
            v.as_()
        }
        #[inline]
        fn from_i16(v: i16) -> Self {
            v.as_()
        }
        #[inline]
        fn from_i32(v: i32) -> Self {
            v.as_()
        }
        #[inline]
        fn from_i64(v: i64) -> Self {
            v.as_()
        }
        #[inline]
        fn from_u8(v: u8) -> Self {
            v.as_()
        }
        #[inline]
        fn from_u16(v: u16) -> Self {
            v.as_()
        }
        #[inline]
        fn from_u32(v: u32) -> Self {
            v.as_()
        }
        #[inline]
        fn from_u64(v: u64) -> Self {
            v.as_()
        }
        #[inline]
        fn from_f16(v: f16) -> Self {
            v.as_()
        }
        #[inline]
        fn from_f32(v: f32) -> Self {
            v.as_()
        }
        #[inline]
        fn from_f64(v: f64) -> Self {
            v.as_()
        }
    };
}

macro_rules! impl_int {
    ($t:ty, $dt:ident, $from:ident, $scalar:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline]
            fn lowest() -> Self {
                <$t>::MIN
            }
            #[inline]
            fn min_value() -> Self {
                <$t>::MIN
            }
            #[inline]
            fn max_value() -> Self {
                <$t>::MAX
            }
            #[inline]
            fn zero() -> Self {
                0
            }
            #[inline]
            fn one() -> Self {
                1
            }
            #[inline]
            fn from_scalar(v: f64) -> Self {
                let f: fn(f64) -> $t = $scalar;
                f(v)
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn cast<U: Element>(self) -> U {
                U::$from(self)
            }
            from_prims!($t);
            #[inline]
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline]
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline]
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline]
            fn is_nan(self) -> bool {
                false
            }
        }
    };
}

impl_int!(i8, I8, from_i8, |v| trunc_i32_x86(v) as i8);
impl_int!(i16, I16, from_i16, |v| trunc_i32_x86(v) as i16);
impl_int!(i32, I32, from_i32, trunc_i32_x86);
impl_int!(i64, I64, from_i64, trunc_i64_x86);
impl_int!(u8, U8, from_u8, |v| trunc_i32_x86(v) as u8);
impl_int!(u16, U16, from_u16, |v| trunc_i32_x86(v) as u16);
impl_int!(u32, U32, from_u32, |v| trunc_i64_x86(v) as u32);
impl_int!(u64, U64, from_u64, |v| {
    // clang's double -> u64: values >= 2^63 are converted after subtracting 2^63.
    if v >= 9223372036854775808.0 {
        (trunc_i64_x86(v - 9223372036854775808.0) as u64) ^ (1u64 << 63)
    } else {
        trunc_i64_x86(v) as u64
    }
});

macro_rules! impl_float {
    ($t:ty, $dt:ident, $from:ident, $lowest:expr, $min:expr, $max:expr, $zero:expr, $one:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline]
            fn lowest() -> Self {
                $lowest
            }
            #[inline]
            fn min_value() -> Self {
                $min
            }
            #[inline]
            fn max_value() -> Self {
                $max
            }
            #[inline]
            fn zero() -> Self {
                $zero
            }
            #[inline]
            fn one() -> Self {
                $one
            }
            #[inline]
            fn from_scalar(v: f64) -> Self {
                v.as_()
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self.as_()
            }
            #[inline]
            fn cast<U: Element>(self) -> U {
                U::$from(self)
            }
            from_prims!($t);
            #[inline]
            fn wadd(self, o: Self) -> Self {
                self + o
            }
            #[inline]
            fn wsub(self, o: Self) -> Self {
                self - o
            }
            #[inline]
            fn wmul(self, o: Self) -> Self {
                self * o
            }
            #[inline]
            fn wneg(self) -> Self {
                -self
            }
            #[inline]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
        }
    };
}

impl_float!(
    f16,
    F16,
    from_f16,
    f16::MIN_POSITIVE,
    f16::MIN,
    f16::MAX,
    f16::ZERO,
    f16::ONE
);
impl_float!(f32, F32, from_f32, f32::MIN, f32::MIN, f32::MAX, 0.0, 1.0);
impl_float!(f64, F64, from_f64, f64::MIN, f64::MIN, f64::MAX, 0.0, 1.0);

/// Runs `$body` with the type alias `$T` bound to the Rust type of a runtime [`DType`].
///
/// ```ignore
/// with_dtype!(t.dtype(), T => kernel::<T>(&t))
/// ```
#[macro_export]
macro_rules! with_dtype {
    ($dt:expr, $T:ident => $body:expr) => {
        match $dt {
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::DType::F16 => {
                type $T = $crate::f16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}

/// Like [`with_dtype!`] for the float types only; `$err` is evaluated for integer dtypes.
#[macro_export]
macro_rules! with_float_dtype {
    ($dt:expr, $T:ident => $body:expr, else $err:expr) => {
        match $dt {
            $crate::DType::F16 => {
                type $T = $crate::f16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $err,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sizes() {
        for d in DType::ALL {
            assert_eq!(d.name().parse::<DType>().unwrap(), d);
            assert_eq!(DType::from_index(d as i32).unwrap(), d);
        }
        assert_eq!(DType::F16.size(), 2);
        assert_eq!(DType::U64.size(), 8);
        assert_eq!(
            "F32".parse::<DType>().unwrap_err().kind(),
            crate::ErrorKind::DType
        );
        assert_eq!(
            DType::from_index(11).unwrap_err().kind(),
            crate::ErrorKind::DType
        );
        assert_eq!(
            DType::from_index(-1).unwrap_err().kind(),
            crate::ErrorKind::DType
        );
    }

    #[test]
    fn scalar_conversion_matches_reference_build() {
        // Values checked against the original (spec §1.4).
        assert_eq!(u8::from_scalar(-1.0), 255);
        assert_eq!(u8::from_scalar(-2.9), 254);
        assert_eq!(u8::from_scalar(300.0), 44);
        assert_eq!(i8::from_scalar(200.0), -56);
        assert_eq!(i16::from_scalar(40000.0), -25536);
        assert_eq!(u16::from_scalar(-1.0), 65535);
        assert_eq!(u32::from_scalar(5e9), 705032704);
        assert_eq!(u64::from_scalar(-1.0), u64::MAX);
        assert_eq!(i32::from_scalar(3e9), i32::MIN);
        assert_eq!(u8::from_scalar(1.7), 1);
        assert_eq!(u8::from_scalar(0.5), 0);
    }

    #[test]
    fn element_cast_is_saturating_where_cpp_is_undefined() {
        assert_eq!((-300.7f32).cast::<u8>(), 0);
        assert_eq!(1.9f32.cast::<u8>(), 1);
        assert_eq!(70000f32.cast::<u8>(), 255);
        assert_eq!(f32::NAN.cast::<u8>(), 0);
        assert_eq!((-1i32).cast::<u8>(), 255);
        assert_eq!(300i32.cast::<u8>(), 44);
        assert_eq!(1.5f32.cast::<f16>(), f16::from_f32(1.5));
    }
}
