//! ZCA whitening module.
