"""The evidence record and the single entry point that gathers it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from vc_curate.provenance.c2pa import c2pa_findings
from vc_curate.provenance.containers import Metadata, gather
from vc_curate.provenance.exif import exif_findings
from vc_curate.provenance.finding import Finding, clean, strongest
from vc_curate.provenance.generators import text_findings
from vc_curate.provenance.stealth import stealth_findings
from vc_curate.provenance.watermark import watermark_findings
from vc_curate.provenance.xmp import remote_manifest_url, xmp_findings


@dataclass(frozen=True, slots=True)
class ProvenanceOptions:
    watermarks: bool = False  # look for invisible generator watermarks (costs a decode per image)
    c2pa_trust_anchors: str | None = None  # PEM file of signers the user trusts; none ship


@dataclass(frozen=True, slots=True)
class Evidence:
    """`ai_generated` from the strongest explicit evidence (None: nothing known); `items` lists it all;
    `notes` says what metadata was left unread (they go to the record's `notes`)."""

    ai_generated: float | None = None
    items: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def read_evidence(data: bytes, image: Image.Image, options: ProvenanceOptions = ProvenanceOptions()) -> Evidence:
    """All authenticity evidence in `data` (`image` is the same bytes opened by PIL, not yet decoded).

    Never raises: a reader that fails on hostile metadata adds a `source:unreadable (...)` item and the
    evidence the other readers found is kept.
    """
    findings: list[Finding] = []
    meta = _run("metadata", findings, lambda: gather(data, image)) or Metadata()
    findings += meta.problems
    if meta.jumbf:
        _run("c2pa", findings, lambda: c2pa_findings(data, image.format, options.c2pa_trust_anchors))
    elif url := _run("xmp", findings, lambda: remote_manifest_url(meta.xmp)):
        findings.append(Finding(f"c2pa(remote,not fetched):{clean(url, 100)}"))
    _run("xmp", findings, lambda: xmp_findings(meta.xmp))
    _run(meta.text_source, findings, lambda: text_findings(meta.text_source, meta.texts))
    if meta.exif is not None:
        _run("exif", findings, lambda: exif_findings(meta.exif))
    if image.format == "PNG":
        _run("stealth", findings, lambda: stealth_findings(data, image))
    if options.watermarks:
        _run("watermark", findings, lambda: watermark_findings(data))
    return Evidence(ai_generated=strongest(findings), items=_ordered(findings))


def _run(source: str, findings: list[Finding], read: Callable[[], object]):
    """Call one reader; its findings go to `findings`, a failure becomes an item instead of an exception."""
    try:
        result = read()
    except Exception as exc:  # hostile metadata must cost this reader only, never the record
        findings.append(Finding(f"{source}:unreadable ({type(exc).__name__})"))
        return None
    if isinstance(result, list):
        findings.extend(result)
        return None
    return result


def _ordered(findings: list[Finding]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for f in findings:
        seen.setdefault(f.item, None)
    return tuple(seen)
