"""Every record field declared once: name, Arrow type, kind, range and direction.

The Arrow schema, `Record`, `Scores`, clipping, FiftyOne field types, report axes, the metrics `evaluate`
chooses and the rule checker's allowed values are all derived from `FIELDS`; add a field here and it
appears in every front end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

# Kinds of field. A grade has a direction (higher is better); an amount does not (a night photo is dark,
# which is neither good nor bad); a probability lies in 0..1; an enumeration holds one of `values`; tags are
# `;`-separated words from the vocabulary in `values`.
TEXT, SIZE, GRADE, AMOUNT, PROBABILITY, ENUM, TAGS = "text", "size", "grade", "amount", "probability", "enum", "tags"
NUMERIC_KINDS = (SIZE, GRADE, AMOUNT, PROBABILITY)

# The defects a scorer may name, from most to least common in curation; each scorer names them most costly first.
DEFECTS = (
    "blur", "motion-blur", "noise", "underexposure", "overexposure", "clipped-highlights", "glare", "haze",
    "low-contrast", "colour-cast", "compression", "low-resolution",
)
AUTHENTICITY = ("ai-generated", "photographic", "unknown")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One record field: what it holds and, for numbers, its range and whether higher is better."""

    name: str
    type: pa.DataType
    kind: str
    description: str
    low: float | None = None
    high: float | None = None
    higher_is_better: bool | None = None
    values: tuple[str, ...] = ()  # ENUM: the allowed values; TAGS: the vocabulary
    scored: bool = False  # filled by a scorer through `Scores` (the rest come from the input and the run)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def clip(self, value: float | None) -> float | None:
        """The value within the declared range; None (and NaN) stay null."""
        if value is None or math.isnan(value):
            return None
        return float(min(self.high, max(self.low, value)))

    def python_type(self) -> type:
        if self.kind == SIZE:
            return int
        return float if self.numeric else str


def _score(name: str, kind: str, description: str, higher_is_better: bool | None = None) -> FieldSpec:
    return FieldSpec(name, pa.float32(), kind, description, 0.0, 100.0, higher_is_better, scored=True)


_DECLARED = (
    FieldSpec("uri", pa.string(), TEXT, "where the image came from (path, URL, shard.tar#member, file.parquet#row)"),
    FieldSpec("sha256", pa.string(), TEXT, "of the encoded bytes; null only when no byte could be read"),
    FieldSpec("width", pa.int32(), SIZE, "width in pixels, after EXIF orientation", 1, 2**31 - 1),
    FieldSpec("height", pa.int32(), SIZE, "height in pixels, after EXIF orientation", 1, 2**31 - 1),
    _score("quality", GRADE, "overall perceptual quality (MOS-like), higher is better", True),
    _score("brightness", AMOUNT, "how bright the image looks (an amount, not a grade)"),
    _score("colorfulness", AMOUNT, "how colourful the image looks (an amount, not a grade)"),
    _score("contrast", AMOUNT, "how contrasted the image looks (an amount, not a grade)"),
    _score("sharpness", AMOUNT, "how sharp the image looks (an amount, not a grade)"),
    _score("noisiness", AMOUNT, "how much visible noise the image has (an amount, not a grade)"),
    FieldSpec("ai_generated", pa.float32(), PROBABILITY,
              "probability that the image is AI-generated; null when nothing is known", 0.0, 1.0, scored=True),
    FieldSpec("authenticity", pa.string(), ENUM, "ai-generated, photographic or unknown (from ai_generated)",
              values=AUTHENTICITY),
    FieldSpec("provenance", pa.string(), TEXT, "the authenticity evidence: ;-separated source:detail items"),
    FieldSpec("defects", pa.string(), TAGS, "defects found, ;-separated, most costly first; empty when none",
              values=DEFECTS, scored=True),
    FieldSpec("critique", pa.string(), TEXT, "a short description of the visual quality", scored=True),
    FieldSpec("scorer", pa.string(), TEXT, "which scorer and version or model revision produced the record"),
    FieldSpec("error", pa.string(), TEXT, "why this input could not be scored (set only then)"),
    FieldSpec("notes", pa.string(), TEXT, "what was left out of a scored record, ;-separated"),
)

FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in _DECLARED}
SCORES = tuple(name for name, spec in FIELDS.items() if spec.kind in (GRADE, AMOUNT))
ATTRIBUTES = tuple(name for name, spec in FIELDS.items() if spec.kind == AMOUNT)
SCORED = tuple(name for name, spec in FIELDS.items() if spec.scored)
