//! The `fire` operation family (public API).
