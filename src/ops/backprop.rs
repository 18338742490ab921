//! The `backprop` operation family (public API).
