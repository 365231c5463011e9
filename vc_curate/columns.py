"""Reading Arrow columns as numbers, the one way every table consumer (report, evaluate, training) does it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def float_column(table: pa.Table, name: str) -> np.ndarray:
    """Column `name` as float64, NaN for nulls and for a column the table lacks; text raises ValueError."""
    if name not in table.column_names:
        return np.full(len(table), np.nan)
    column = table.column(name)
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
            or pa.types.is_boolean(column.type) or pa.types.is_null(column.type)):
        raise ValueError(f"column `{name}` is {column.type}, not numbers")
    return column.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)
