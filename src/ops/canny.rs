//! The `canny` operation family (public API).
