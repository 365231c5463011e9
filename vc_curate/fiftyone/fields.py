"""Which record fields land on a sample (as `<prefix>_<name>`), their FiftyOne types and descriptions."""

from __future__ import annotations

from typing import Any

import fiftyone as fo

from vc_curate.fields import FIELDS, SIZE
from vc_curate.record import Record

# Every record field but the image's own: the sample's filepath is its uri, its metadata holds width and height.
OUTPUT_FIELDS = tuple(name for name, spec in FIELDS.items() if name != "uri" and spec.kind != SIZE)


def field_names(prefix: str = "vc") -> dict[str, str]:
    """Record field -> sample field, e.g. `quality` -> `vc_quality`."""
    if not prefix or not prefix.replace("_", "").isalnum() or prefix[0].isdigit():
        raise ValueError(f"field prefix {prefix!r} must be letters, digits and underscores, e.g. 'vc'")
    return {name: f"{prefix}_{name}" for name in OUTPUT_FIELDS}


def declare_fields(dataset: fo.Dataset, prefix: str = "vc") -> None:
    """Add the output fields with their types and descriptions, so the App shows them before any value."""
    schema = dataset.get_field_schema()
    for name, path in field_names(prefix).items():
        if path in schema:
            continue
        spec = FIELDS[name]
        ftype = fo.FloatField if spec.numeric else fo.StringField
        dataset.add_sample_field(path, ftype, description=spec.description)


def record_values(record: Record) -> dict[str, Any]:
    """The output fields of one record (None where the record has none, so stale values are cleared)."""
    return {name: getattr(record, name) for name in OUTPUT_FIELDS}
