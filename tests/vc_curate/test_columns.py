"""Numeric columns read the one shared way."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from vc_curate.columns import float_column


def test_float_column():
    table = pa.table({"a": [1, None, 3], "b": [True, False, None], "t": ["x", "y", "z"]})
    np.testing.assert_array_equal(float_column(table, "a"), [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(float_column(table, "b"), [1.0, 0.0, np.nan])
    assert np.isnan(float_column(table, "missing")).all()
    with pytest.raises(ValueError, match="column `t` is string, not numbers"):
        float_column(table, "t")
