//! DoG, Gabor and LoG filter modules.
