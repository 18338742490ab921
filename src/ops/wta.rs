//! Winner-take-all: `fcwta`, `convwta` and the `Winner` record (spec §7).

/// A selected neuron (spec §7.1). For FC winners the neuron index is in `x` and `z = y = 0`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Winner {
    /// Index into the layer's `stdpconfig` list (R-STDP selector); negative = skip this winner.
    pub c: i64,
    /// Spike time (filled by sparse WTA only; 0 for dense).
    pub t: i64,
    /// Output channel.
    pub z: i64,
    /// Row.
    pub y: i64,
    /// Column (or neuron index for FC layers).
    pub x: i64,
}

/// Winners per sample, in selection order.
pub type Winners = Vec<Vec<Winner>>;
