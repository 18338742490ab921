//! The `fc` operation family (public API).
