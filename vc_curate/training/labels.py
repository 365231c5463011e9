"""A labels table (DESIGN) read for training: images, groups and per-image targets as aligned arrays."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from vc_curate.columns import float_column
from vc_curate.evaluate.labels import LabelsError, is_url, read_labels
from vc_curate.record import ATTRIBUTES

ALL = "all"  # the one group of a table without `dataset` or `--group-by`


@dataclass(slots=True)
class LabelSet:
    """Row i of every array describes image `uris[i]`; NaN (or None) where the table gives no value."""

    uris: list[str]
    groups: np.ndarray  # str per image: the group pairs stay in and normalisation is computed over
    mos: np.ndarray
    std: np.ndarray
    attributes: dict[str, np.ndarray]  # only the attributes the table has
    ai_generated: np.ndarray  # 0.0, 1.0 or NaN
    descriptions: list[str | None]
    group_by: str | None

    def __len__(self) -> int:
        return len(self.uris)


def _floats(table: pa.Table, name: str) -> np.ndarray:
    try:
        return float_column(table, name)
    except ValueError as exc:
        raise LabelsError(f"labels {exc}") from None


def read_label_set(path: str, group_by: str | None = None) -> LabelSet:
    """Read and check `path`: every row needs an image that exists and a MOS; `ai_generated` must be 0/1."""
    table = read_labels(path)
    if group_by is not None and group_by not in table.column_names:
        raise LabelsError(f"--group-by {group_by}: {path} has no such column; its columns are "
                          f"{', '.join(c for c in table.column_names if c != 'uri')}")
    group_by = group_by or ("dataset" if "dataset" in table.column_names else None)
    uris = table.column("uri").to_pylist()
    mos = _floats(table, "mos")
    bad = [i for i, (u, m) in enumerate(zip(uris, mos)) if not u or not np.isfinite(m)]
    if bad:
        raise LabelsError(f"{path}: {len(bad)} rows lack an image or a mos (first: row {bad[0] + 1}); "
                          "fill them in or drop those rows")
    missing = [u for u in uris if not is_url(u) and "#" not in u and not os.path.isfile(u)]
    if missing:
        raise LabelsError(f"{path}: {len(missing)} images do not exist (first: {missing[0]}); fix the paths "
                          "(`filename` is taken relative to the table's folder) or drop those rows")
    ai = _floats(table, "ai_generated")
    if not np.isin(ai[np.isfinite(ai)], (0.0, 1.0)).all():
        raise LabelsError(f"{path}: `ai_generated` must be 0 (photograph) or 1 (AI-generated)")
    if group_by is None:
        groups = np.full(len(table), ALL, dtype=object)
    else:
        groups = np.array(["(none)" if v is None else str(v) for v in table.column(group_by).to_pylist()],
                          dtype=object)
    descriptions = (table.column("description").cast(pa.string()).to_pylist()
                    if "description" in table.column_names else [None] * len(table))
    return LabelSet(
        uris=uris, groups=groups, mos=mos, std=_floats(table, "std"),
        attributes={a: _floats(table, a) for a in ATTRIBUTES if a in table.column_names},
        ai_generated=ai, descriptions=[d.strip() if d and d.strip() else None for d in descriptions],
        group_by=group_by,
    )
