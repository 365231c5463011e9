"""Per-group rescaling of opinion scores and attributes to 0..100, so groups rated on different scales
(1..5, 0..10, 0..100) give comparable absolute targets."""

from __future__ import annotations

import numpy as np


def normalise(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each group's values mapped linearly from its own [min, max] to [0, 100]; NaN stays NaN.

    A group whose values are all equal has no scale to read; its values map to 50.
    """
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, np.nan)
    for group in np.unique(groups):
        picked = (groups == group) & np.isfinite(values)
        if not picked.any():
            continue
        low, high = values[picked].min(), values[picked].max()
        out[picked] = 50.0 if high == low else 100.0 * (values[picked] - low) / (high - low)
    return out
