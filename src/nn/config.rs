//! Learning configurations.

/// STDP parameters (spec §8.1). `positive` is applied to causal pairs (pre <= post) and
/// `negative` to the others; the sign is part of the value (typically 0.004 and -0.003).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct STDPConfig {
    pub positive: f64,
    pub negative: f64,
    /// Scale updates by `(w - lower)(upper - w)` (soft bounds).
    pub stabilize: bool,
    pub lower: f64,
    pub upper: f64,
}

impl STDPConfig {
    /// A config with the original's defaults: stabilize on, bounds [0, 1].
    pub fn new(positive: f64, negative: f64) -> STDPConfig {
        STDPConfig {
            positive,
            negative,
            stabilize: true,
            lower: 0.0,
            upper: 1.0,
        }
    }

    /// A config with every field given.
    pub fn with_bounds(
        positive: f64,
        negative: f64,
        stabilize: bool,
        lower: f64,
        upper: f64,
    ) -> STDPConfig {
        STDPConfig {
            positive,
            negative,
            stabilize,
            lower,
            upper,
        }
    }
}

/// Backpropagation parameters of `FC::backward` (spec §8.6); stored as f32 like the original.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BPConfig {
    pub sfactor: f32,
    pub lrate: f32,
    pub lrf: f32,
    pub lambda: f32,
}

impl Default for BPConfig {
    fn default() -> Self {
        BPConfig {
            sfactor: 1.0,
            lrate: 1.0,
            lrf: 1.0,
            lambda: 0.0,
        }
    }
}

impl BPConfig {
    pub fn new(sfactor: f32, lrate: f32, lrf: f32, lambda: f32) -> BPConfig {
        BPConfig {
            sfactor,
            lrate,
            lrf,
            lambda,
        }
    }
}
