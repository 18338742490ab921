//! The `filter` operation family (public API).
