"""The evidence record and the single entry point that gathers it."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True, slots=True)
class ProvenanceOptions:
    watermarks: bool = False  # look for invisible generator watermarks (costs a transform per image)
    c2pa_trust_anchors: str | None = None  # PEM file of signers the user trusts; none ship


@dataclass(frozen=True, slots=True)
class Evidence:
    """`ai_generated` from the strongest explicit evidence (None: nothing known); `items` lists it all."""

    ai_generated: float | None = None
    items: tuple[str, ...] = ()

    @property
    def provenance(self) -> str | None:
        return ";".join(self.items) or None


def read_evidence(data: bytes, image: Image.Image, options: ProvenanceOptions = ProvenanceOptions()) -> Evidence:
    """All authenticity evidence in `data` (`image` is the same bytes opened by PIL, not yet decoded)."""
    return Evidence()
