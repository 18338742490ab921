//! The `inhibit` operation family (public API).
