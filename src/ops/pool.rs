//! The `pool` operation family (public API).
