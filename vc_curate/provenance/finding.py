"""One piece of authenticity evidence, the weights of DESIGN's evidence table, and the `provenance` text rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

# DESIGN's evidence table, in its order of strength (see docs/provenance.md).
TRAINED = 0.99  # C2PA (valid) or IPTC XMP `trainedAlgorithmicMedia`
GENERATOR = 0.98  # generator metadata, a known generator's Software tag, a generator watermark
COMPOSITE = 0.9  # `compositeWithTrainedAlgorithmicMedia`
CAPTURE_TRUSTED = 0.01  # C2PA capture signed by one of the user's trust anchors
CAPTURE_UNTRUSTED = 0.1  # C2PA capture, valid signature, signer not in the user's anchors
CAMERA = 0.2  # camera EXIF, or an unsigned XMP capture claim

_UNSAFE = re.compile(r"[;\x00-\x1f\x7f]+")
_DETAIL_LIMIT = 120


@dataclass(frozen=True, slots=True)
class Finding:
    """A `source:detail` provenance item and what it says about `ai_generated` (None: says nothing)."""

    item: str
    ai_generated: float | None = None


def clean(text: object, limit: int = _DETAIL_LIMIT) -> str:
    """Text from a file made safe for a `provenance` item: no `;` or control characters, bounded length."""
    text = " ".join(_UNSAFE.sub(" ", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def strongest(findings: list[Finding]) -> float | None:
    """Any AI marker wins (the highest); otherwise the strongest photographic evidence (the lowest)."""
    values = [f.ai_generated for f in findings if f.ai_generated is not None]
    ai = [v for v in values if v >= 0.5]
    if ai:
        return max(ai)
    return min(values) if values else None
