//! `Expand2` (kernel, stride) and `Expand4` (padding) argument types (spec §1.6).

use crate::{Error, Result};

/// A 2-D extent `(y, x)` = (rows, columns), e.g. a kernel size or a stride.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Expand2 {
    pub y: usize,
    pub x: usize,
}

impl Expand2 {
    pub const fn new(y: usize, x: usize) -> Self {
        Expand2 { y, x }
    }

    /// From 1 value `a` → `(a, a)` or 2 values `(y, x)`; anything else (or a negative value) is an
    /// error.
    pub fn from_slice(v: &[i64]) -> Result<Self> {
        let c = |a: i64| {
            usize::try_from(a)
                .map_err(|_| Error::Argument(format!("expected non-negative extents, got {v:?}")))
        };
        match v {
            [a] => Ok(Expand2::new(c(*a)?, c(*a)?)),
            [y, x] => Ok(Expand2::new(c(*y)?, c(*x)?)),
            _ => Err(Error::Argument(format!(
                "expected 1 or 2 values for a 2-D extent, got {}",
                v.len()
            ))),
        }
    }

    /// Errors unless both extents are at least `min` (`what` names the argument).
    pub fn check_min(self, min: usize, what: &str) -> Result<Self> {
        if self.y < min || self.x < min {
            return Err(Error::Argument(format!(
                "expected {what} extents >= {min}, got ({}, {})",
                self.y, self.x
            )));
        }
        Ok(self)
    }
}

impl From<usize> for Expand2 {
    fn from(a: usize) -> Self {
        Expand2::new(a, a)
    }
}
impl From<(usize, usize)> for Expand2 {
    fn from((y, x): (usize, usize)) -> Self {
        Expand2::new(y, x)
    }
}
impl From<[usize; 2]> for Expand2 {
    fn from([y, x]: [usize; 2]) -> Self {
        Expand2::new(y, x)
    }
}

/// Padding `(top, left, bottom, right)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Expand4 {
    pub top: usize,
    pub left: usize,
    pub bottom: usize,
    pub right: usize,
}

impl Expand4 {
    pub const fn new(top: usize, left: usize, bottom: usize, right: usize) -> Self {
        Expand4 {
            top,
            left,
            bottom,
            right,
        }
    }

    /// From 1 value `a` → all four, 2 values `(v, h)` → `(v, h, v, h)`, or 4 values
    /// `(top, left, bottom, right)`; negative values and other lengths are errors.
    pub fn from_slice(v: &[i64]) -> Result<Self> {
        let c = |a: i64| {
            usize::try_from(a)
                .map_err(|_| Error::Argument(format!("expected non-negative padding, got {v:?}")))
        };
        match v {
            [a] => Ok(Expand4::from(c(*a)?)),
            [a, b] => Ok(Expand4::from((c(*a)?, c(*b)?))),
            [t, l, b, r] => Ok(Expand4::new(c(*t)?, c(*l)?, c(*b)?, c(*r)?)),
            _ => Err(Error::Argument(format!(
                "expected 1, 2 or 4 padding values, got {}",
                v.len()
            ))),
        }
    }

    /// True when every side is zero.
    pub fn is_zero(&self) -> bool {
        *self == Expand4::default()
    }
}

impl From<usize> for Expand4 {
    fn from(a: usize) -> Self {
        Expand4::new(a, a, a, a)
    }
}
impl From<(usize, usize)> for Expand4 {
    fn from((v, h): (usize, usize)) -> Self {
        Expand4::new(v, h, v, h)
    }
}
impl From<[usize; 2]> for Expand4 {
    fn from([v, h]: [usize; 2]) -> Self {
        Expand4::new(v, h, v, h)
    }
}
impl From<(usize, usize, usize, usize)> for Expand4 {
    fn from((t, l, b, r): (usize, usize, usize, usize)) -> Self {
        Expand4::new(t, l, b, r)
    }
}
impl From<[usize; 4]> for Expand4 {
    fn from([t, l, b, r]: [usize; 4]) -> Self {
        Expand4::new(t, l, b, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_rules() {
        assert_eq!(
            Expand4::from_slice(&[1, 2]).unwrap(),
            Expand4::new(1, 2, 1, 2)
        );
        assert_eq!(
            Expand4::from_slice(&[1, 2, 3, 4]).unwrap(),
            Expand4::new(1, 2, 3, 4)
        );
        assert_eq!(Expand4::from_slice(&[3]).unwrap(), Expand4::from(3));
        assert_eq!(Expand2::from_slice(&[3, 5]).unwrap(), Expand2::new(3, 5));
        for bad in [&[][..], &[1, 2, 3], &[-1]] {
            assert_eq!(
                Expand4::from_slice(bad).unwrap_err().kind(),
                crate::ErrorKind::Argument
            );
        }
        assert_eq!(
            Expand2::from_slice(&[1, 2, 3]).unwrap_err().kind(),
            crate::ErrorKind::Argument
        );
        assert!(Expand2::new(0, 1).check_min(1, "stride").is_err());
    }
}
