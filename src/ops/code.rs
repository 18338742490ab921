//! The `code` operation family (public API).
