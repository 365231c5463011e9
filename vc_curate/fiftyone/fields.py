"""Which record fields land on a sample (as `<prefix>_<name>`), their FiftyOne types and descriptions."""

from __future__ import annotations

from typing import Any

import fiftyone as fo

from vc_curate.record import SCORES, Record
from vc_curate.scorer import STANDARD_FIELDS

# DESIGN's sample fields; width and height go to the sample's metadata instead.
OUTPUT_FIELDS = (*SCORES, "ai_generated", "authenticity", "provenance", "critique", "scorer", "sha256", "error")
_FLOATS = {*SCORES, "ai_generated"}
_DESCRIPTIONS = {
    **{name: spec.description for name, spec in STANDARD_FIELDS.items()},
    "authenticity": "ai-generated, photographic or unknown (from ai_generated)",
    "provenance": "the authenticity evidence: ;-separated source:detail items",
    "critique": "a short description of the visual quality",
    "scorer": "which scorer and version produced the scores",
    "sha256": "of the image file's bytes",
    "error": "why the image could not be scored (set only then)",
}


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
        ftype = fo.FloatField if name in _FLOATS else fo.StringField
        dataset.add_sample_field(path, ftype, description=_DESCRIPTIONS[name])


def record_values(record: Record) -> dict[str, Any]:
    """The output fields of one record (None where the record has none, so stale values are cleared)."""
    return {name: getattr(record, name) for name in OUTPUT_FIELDS}
