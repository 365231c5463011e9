"""EXIF evidence: generator parameters in UserComment, a known generator in Software, camera data."""

from __future__ import annotations

from PIL import Image

from vc_curate.provenance.finding import CAMERA, GENERATOR, Finding, clean
from vc_curate.provenance.generators import WINDOW, known_generator, parameters_tool

EXIF_IFD = 0x8769
MAKE, MODEL, SOFTWARE = 0x010F, 0x0110, 0x0131
USER_COMMENT = 0x9286
EXPOSURE = (0x829A, 0x829D, 0x8827)  # ExposureTime, FNumber, ISOSpeedRatings
LENS_MODEL = 0xA434


def user_comment(raw: object) -> str:
    """EXIF UserComment as text: its 8-byte character-code prefix (ASCII, UNICODE, JIS, undefined) decoded."""
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes):
        return ""
    if len(raw) > 8 + 4 * WINDOW:  # decode only the ends that `parameters_tool` searches (UCS-2 stays aligned)
        raw = raw[:8 + 2 * WINDOW] + b"\n\0" + raw[-2 * WINDOW:]
    code, body = raw[:8], raw[8:]
    if code == b"UNICODE\0":
        return _utf16(body)
    if code == b"JIS\0\0\0\0\0":
        return body.decode("shift_jis", errors="replace").rstrip("\0")
    if code in (b"ASCII\0\0\0", b"\0" * 8):
        return body.decode("utf-8", errors="replace").rstrip("\0 ")
    return raw.decode("utf-8", errors="replace").rstrip("\0 ")  # written without a prefix


def _utf16(body: bytes) -> str:
    """UCS-2 in either byte order (writers disagree): the order whose text has fewer non-ASCII characters."""
    if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return body.decode("utf-16", errors="replace").rstrip("\0")
    options = [body.decode(enc, errors="replace").rstrip("\0") for enc in ("utf-16-be", "utf-16-le")]
    return min(options, key=lambda s: sum(ord(c) > 0x7F for c in s[:4096]))


def exif_findings(exif: Image.Exif) -> list[Finding]:
    findings = []
    sub = exif.get_ifd(EXIF_IFD)
    comment = user_comment(sub.get(USER_COMMENT) or exif.get(USER_COMMENT))
    tool = parameters_tool(comment) if comment else None
    if tool:
        findings.append(Finding(f"exif:UserComment ({tool})", GENERATOR))
    software = exif.get(SOFTWARE)
    if isinstance(software, str) and (generator := known_generator(software)):
        findings.append(Finding(f"exif:software {clean(software, 60)} ({generator})", GENERATOR))
    camera = _camera(exif, sub)
    if camera:
        findings.append(Finding(f"exif:camera {camera}", CAMERA))
    return findings


def _camera(exif: Image.Exif, sub: dict) -> str | None:
    """`Make Model` (without the make repeated), or `exposure data` when only exposure tags are present."""
    make, model = (_text(exif.get(t)) for t in (MAKE, MODEL))
    if model and make and model.lower().startswith(make.split()[0].lower()):
        make = ""
    name = clean(" ".join(p for p in (make, model) if p), 60)
    if name:
        return name
    if any(sub.get(t) is not None for t in EXPOSURE) or _text(sub.get(LENS_MODEL)):
        return "exposure data"
    return None


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return value.strip("\0 ") if isinstance(value, str) else ""
