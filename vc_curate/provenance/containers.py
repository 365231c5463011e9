"""Metadata blocks of an image, read from the bytes in memory and PIL's header parse (never the pixels).

PNG chunks are walked here (PIL would decode the image to reach chunks after IDAT); JPEG, WebP and TIFF
metadata comes from what `Image.open` already parsed.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from PIL import Image

from vc_curate.provenance.finding import Finding

MAX_TEXT = 1 << 20  # bytes kept of one text chunk (after decompression): enough to identify any generator
MAX_CHUNKS = 200_000
XMP_KEY = "XML:com.adobe.xmp"
# The JUMBF description-box UUID of a C2PA manifest store ("c2pa" + ISO suffix).
C2PA_UUID = b"c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(slots=True)
class Metadata:
    texts: dict[str, str] = field(default_factory=dict)  # PNG text chunks, JPEG comment
    text_source: str = "png"  # the `source` of provenance items built from `texts`
    xmp: list[str] = field(default_factory=list)
    exif: Image.Exif | None = None
    jumbf: bool = False  # an embedded C2PA manifest store is present
    problems: list[Finding] = field(default_factory=list)  # what could not be read, reported as is


def gather(data: bytes, image: Image.Image) -> Metadata:
    meta = Metadata()
    if image.format == "PNG":
        _read_png(data, meta)
    else:
        _read_pil(data, image, meta)
    return meta


def png_chunks(data: bytes):
    """(type, start, end) of each chunk's data; stops quietly at the first malformed chunk."""
    pos = len(PNG_SIGNATURE)
    for _ in range(MAX_CHUNKS):
        if pos + 8 > len(data):
            return
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        start, end = pos + 8, pos + 8 + length
        if end > len(data):
            end = len(data)
        yield kind, start, end
        if kind == b"IEND":
            return
        pos = end + 4


def _read_png(data: bytes, meta: Metadata) -> None:
    for kind, start, end in png_chunks(data):
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            try:
                key, value = _png_text(kind, data[start:end])
            except (ValueError, zlib.error) as exc:
                meta.problems.append(Finding(f"png:{kind.decode()} unreadable ({type(exc).__name__})"))
                continue
            if key == XMP_KEY:
                meta.xmp.append(value)
            else:
                meta.texts.setdefault(key, value)
        elif kind == b"eXIf":
            meta.exif = _exif(data[start:end], meta)
        elif kind == b"caBX":
            meta.jumbf = True


def _png_text(kind: bytes, body: bytes) -> tuple[str, str]:
    key, sep, rest = body.partition(b"\0")
    if not sep:
        raise ValueError("no keyword separator")
    name = key.decode("latin-1")
    if kind == b"tEXt":
        return name, rest[:MAX_TEXT].decode("latin-1")
    if kind == b"zTXt":
        return name, _inflate(rest[1:]).decode("latin-1")
    compressed, rest = rest[0], rest[2:]  # compression flag, method
    _lang, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    raw = _inflate(text) if compressed else text[:MAX_TEXT]
    return name, raw.decode("utf-8", errors="replace")


def _inflate(raw: bytes) -> bytes:
    """Decompress at most MAX_TEXT bytes: a zip bomb in a text chunk costs nothing."""
    return zlib.decompressobj().decompress(raw, MAX_TEXT)


def _read_pil(data: bytes, image: Image.Image, meta: Metadata) -> None:
    info = image.info
    xmp = info.get("xmp") or info.get(XMP_KEY)
    tag_v2 = getattr(image, "tag_v2", None)
    if xmp is None and tag_v2 is not None:
        xmp = tag_v2.get(700)  # TIFF's XMP tag
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", errors="replace")
    if isinstance(xmp, str) and xmp:
        meta.xmp.append(xmp)
    if image.format in ("JPEG", "MPO"):
        comment = info.get("comment")
        if comment:
            meta.texts["comment"] = (comment.decode("utf-8", errors="replace")
                                     if isinstance(comment, bytes) else str(comment))[:MAX_TEXT]
            meta.text_source = "jpeg"
        meta.jumbf = any(name == "APP11" and C2PA_UUID in body[:128] for name, body in image.applist)
    else:
        meta.jumbf = C2PA_UUID in data
    try:
        exif = image.getexif()
        meta.exif = exif if len(exif) else None
    except Exception as exc:  # malformed EXIF: report it, keep the rest
        meta.problems.append(Finding(f"exif:unreadable ({type(exc).__name__})"))


def _exif(raw: bytes, meta: Metadata) -> Image.Exif | None:
    exif = Image.Exif()
    try:
        exif.load(raw)  # with or without the "Exif\0\0" prefix
    except Exception as exc:
        meta.problems.append(Finding(f"exif:unreadable ({type(exc).__name__})"))
        return None
    return exif
