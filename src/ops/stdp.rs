//! The `stdp` operation family (public API).
