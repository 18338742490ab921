//! mnist helpers.
