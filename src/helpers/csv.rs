//! csv helpers.
