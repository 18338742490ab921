//! CPU kernels of the `code` family.

/// Drops the cached Poisson interval tables (called by `clear_context`).
pub(crate) fn clear_cache() {}
