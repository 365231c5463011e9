"""The result record: one per input image, the same fields in Python, Parquet and FiftyOne."""

from __future__ import annotations

from dataclasses import field, make_dataclass
from typing import Any

import pyarrow as pa

from vc_curate.fields import ATTRIBUTES, FIELDS, SCORES  # noqa: F401 (re-exported for callers of record)

SCHEMA = pa.schema([pa.field(name, spec.type, nullable=name != "uri") for name, spec in FIELDS.items()])


def authenticity_of(ai_generated: float | None) -> str:
    """DESIGN's mapping: >= 0.5 is `ai-generated`, below is `photographic`, null is `unknown`."""
    if ai_generated is None:
        return "unknown"
    return "ai-generated" if ai_generated >= 0.5 else "photographic"


class _RecordMethods:
    """Behaviour of `Record`, whose fields are generated from the declaration below."""

    __slots__ = ()

    @classmethod
    def failed(cls, uri: str, error: str, *, sha256: str | None = None, scorer: str | None = None,
               extra: dict[str, Any] | None = None) -> "Record":
        """An error record: uri, sha256 (when bytes were read), scorer and error; all else null."""
        return cls(uri=uri, sha256=sha256, scorer=scorer, error=error, extra=dict(extra or {}))

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """Flat row: the record fields, then source columns (prefixed `src_` where a name clashes)."""
        row = {name: getattr(self, name) for name in FIELDS}
        for key, value in self.extra.items():
            row[source_column_name(key)] = value
        return row

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "Record":
        known = {name: row.get(name) for name in FIELDS}
        extra = {k: v for k, v in row.items() if k not in known}
        return cls(**known, extra=extra)


Record = make_dataclass(
    "Record",
    [("uri", str)]
    + [(name, spec.python_type() | None, None) for name, spec in FIELDS.items() if name != "uri"]
    + [("extra", dict[str, Any], field(default_factory=dict))],
    bases=(_RecordMethods,), slots=True, namespace={"__module__": __name__},
)
Record.__doc__ = "One scored (or failed) input: the fields of `vc_curate.fields.FIELDS`; `extra` holds source columns."


def source_column_name(name: str) -> str:
    """Name of a carried source column in the output: `src_<name>` where it clashes with a field."""
    return f"src_{name}" if name in FIELDS else name


def records_to_table(records: list[Record], extra_schema: pa.Schema | None = None) -> pa.Table:
    """A pyarrow table with SCHEMA's columns first, then the carried source columns."""
    columns: dict[str, list[Any]] = {name: [] for name in FIELDS}
    extra_names: list[str] = []
    for rec in records:
        for key in rec.extra:
            col = source_column_name(key)
            if col not in columns:
                columns[col] = [None] * len(columns["uri"])
                extra_names.append(col)
        row = rec.to_dict()
        for col, values in columns.items():
            values.append(row.get(col))
    fields = list(SCHEMA)
    for col in extra_names:
        typ = None
        if extra_schema is not None and col in extra_schema.names:
            typ = extra_schema.field(col).type
        arr = pa.array(columns[col], type=typ) if typ is not None else pa.array(columns[col])
        columns[col] = arr
        fields.append(pa.field(col, arr.type))
    schema = pa.schema(fields)
    return pa.table({f.name: pa.array(columns[f.name], type=f.type) if not isinstance(columns[f.name], pa.Array)
                     else columns[f.name] for f in schema}, schema=schema)

