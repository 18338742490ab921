//! The `conv` operation family (public API).
