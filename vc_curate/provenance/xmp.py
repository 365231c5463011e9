"""XMP evidence: IPTC `DigitalSourceType`, a generator in `CreatorTool`, and a remote C2PA manifest's URL.

Packets are searched with bounded regular expressions rather than parsed, so malformed or hostile XML (entity
expansion, unbalanced tags, megabytes of padding) reads as far as it is readable and never hangs.
"""

from __future__ import annotations

import re

from vc_curate.provenance.finding import CAMERA, COMPOSITE, GENERATOR, TRAINED, Finding, clean
from vc_curate.provenance.generators import known_generator

MAX_PACKET = 4 << 20  # characters of one packet searched

# IPTC Digital Source Type vocabulary (https://cv.iptc.org/newscodes/digitalsourcetype/), current and retired.
CAPTURE_TYPES = frozenset({"digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print"})
AI_TYPES = {"trainedAlgorithmicMedia": TRAINED, "compositeWithTrainedAlgorithmicMedia": COMPOSITE}
VOCABULARY = {t.lower(): t for t in [
    *CAPTURE_TYPES, *AI_TYPES, "algorithmicMedia", "algorithmicallyEnhanced", "composite", "compositeCapture",
    "compositeSynthetic", "dataDrivenMedia", "digitalArt", "digitalCreation", "humanEdits", "minorHumanEdits",
    "screenCapture", "softwareImage", "virtualRecording",
]}


def _property(name: str) -> re.Pattern[str]:
    """`prefix:Name="v"`, `<prefix:Name>v</...>` or `<prefix:Name rdf:resource="v"/>`, any namespace prefix."""
    return re.compile(
        rf":{name}(?:\s*=\s*[\"']([^\"'<>]{{0,400}})[\"']|\s*>\s*([^<]{{0,400}})<"
        rf"|[^<>]{{0,200}}?rdf:resource\s*=\s*[\"']([^\"'<>]{{0,400}})[\"'])")


_SOURCE_TYPE = _property("DigitalSourceType")
_CREATOR_TOOL = _property("CreatorTool")
_PROVENANCE = _property("provenance")


def source_type(value: str) -> str:
    """The vocabulary term of a DigitalSourceType value (a full IPTC URI or a bare term)."""
    term = value.strip().rstrip("/").rsplit("/", 1)[-1]
    return VOCABULARY.get(term.lower(), clean(term, 60))


def xmp_findings(packets: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for packet in packets:
        text = packet[:MAX_PACKET]
        for match in _SOURCE_TYPE.finditer(text):
            term = source_type(_value(match))
            if term and term not in seen:
                seen.add(term)
                findings.append(Finding(f"xmp:{term}", _weight(term)))
        for match in _CREATOR_TOOL.finditer(text):
            tool = _value(match)
            if (generator := known_generator(tool)) and generator not in seen:
                seen.add(generator)
                findings.append(Finding(f"xmp:CreatorTool {clean(tool, 60)} ({generator})", GENERATOR))
    return findings


def remote_manifest_url(packets: list[str]) -> str | None:
    """The URL of a remote C2PA manifest (XMP `dcterms:provenance`), never fetched."""
    for packet in packets:
        for match in _PROVENANCE.finditer(packet[:MAX_PACKET]):
            url = _value(match).strip()
            if url.lower().startswith(("http://", "https://")):
                return url
    return None


def _weight(term: str) -> float | None:
    """An unsigned XMP claim: AI terms count fully, a capture claim only as much as camera EXIF."""
    if term in AI_TYPES:
        return AI_TYPES[term]
    return CAMERA if term in CAPTURE_TYPES else None


def _value(match: re.Match[str]) -> str:
    return next((g for g in match.groups() if g is not None), "")
