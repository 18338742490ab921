//! The single error type of the library.
//!
//! Every public function returns [`Result`]; nothing panics on bad input. The variant says which
//! kind of thing was wrong (it maps one-to-one onto the status codes of the C ABI), the message
//! says what was expected and what was given.

/// The category of an [`Error`], stable across releases (the C ABI maps it to a status code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A tensor has the wrong rank or extents, or shapes do not agree.
    Shape,
    /// A tensor has an element type the operation does not accept.
    DType,
    /// A device is unknown, unavailable, or tensors live on different devices.
    Device,
    /// Any other invalid argument (a negative time, an empty list, a bad string...).
    Argument,
    /// Reading or writing a file failed, or a file is malformed.
    Io,
    /// The CUDA driver, NVRTC or a kernel reported an error.
    Cuda,
}

/// Error returned by every fallible function of the library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("shape error: {0}")]
    Shape(String),
    #[error("dtype error: {0}")]
    DType(String),
    #[error("device error: {0}")]
    Device(String),
    #[error("invalid argument: {0}")]
    Argument(String),
    #[error("io error: {0}")]
    Io(String),
    #[error("cuda error: {0}")]
    Cuda(String),
}

impl Error {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Shape(_) => ErrorKind::Shape,
            Error::DType(_) => ErrorKind::DType,
            Error::Device(_) => ErrorKind::Device,
            Error::Argument(_) => ErrorKind::Argument,
            Error::Io(_) => ErrorKind::Io,
            Error::Cuda(_) => ErrorKind::Cuda,
        }
    }

    /// The message without the category prefix.
    pub fn message(&self) -> &str {
        match self {
            Error::Shape(m)
            | Error::DType(m)
            | Error::Device(m)
            | Error::Argument(m)
            | Error::Io(m)
            | Error::Cuda(m) => m,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Return early with an error of the given kind and a formatted message.
///
/// `bail!(Shape, "expected rank 5, got {}", n)`
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($arg:tt)*) => {
        return Err($crate::Error::$kind(format!($($arg)*)))
    };
}

/// Return an error of the given kind unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $kind:ident, $($arg:tt)*) => {
        if !$cond {
            $crate::bail!($kind, $($arg)*);
        }
    };
}
