//! image helpers.
