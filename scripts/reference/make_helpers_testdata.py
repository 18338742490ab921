#!/usr/bin/env python3
"""Writes the tiny numpy-made .npz files under tests/data/ used by tests/model_io.rs to check that
files written by numpy load in Rust (numpy only; run from the repository root)."""
import numpy as np

rng = np.random.default_rng(3)
arrays = dict(
    conv1=(rng.integers(0, 64, (2, 1, 3, 3)) / 64).astype(np.float32),
    fc=(np.arange(12).reshape(3, 4) / 8).astype(np.float64),
    labels=np.array([3, 1, 4, 1, 5], dtype=np.int64),
    half=np.array([[0.5, -1.25], [65504, 2**-14]], dtype=np.float16),
    counts=np.array([0, 1, 65535], dtype=np.uint16),
)
np.savez("tests/data/numpy_layers.npz", **arrays)
np.savez_compressed("tests/data/numpy_layers_compressed.npz", **arrays)
# A Conv layer file in the documented layout (src/io/model.rs), written by numpy.
np.savez("tests/data/numpy_conv.npz",
         spyker_layer=np.array([1, 0], dtype=np.int64),
         kernel=arrays["conv1"],
         stride=np.array([2, 1], dtype=np.int64),
         pad=np.array([1, 2, 3, 4], dtype=np.int64),
         stdpconfig=np.array([[0.004, -0.003, 1, 0, 1], [-0.004, 0.0005, 0, 0.1, 0.9]],
                             dtype=np.float64))
