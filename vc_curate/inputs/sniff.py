"""Recognise image files by extension or by their first bytes."""

from __future__ import annotations

import os

from vc_curate.inputs.paths import open_uri

IMAGE_EXTENSIONS = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".apng", ".gif", ".webp", ".bmp", ".dib", ".tif", ".tiff",
    ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".ico", ".jp2", ".j2k", ".jpx", ".avif", ".heic", ".heif",
    ".psd", ".dds", ".pcx", ".sgi", ".qoi",
}

_MAGIC = (
    b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*",
    b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51", b"qoif", b"8BPS",
)


def magic_is_image(head: bytes) -> bool:
    if head.startswith(_MAGIC):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"heic", b"heix", b"mif1", b"msf1")


def looks_like_image(uri: str) -> bool:
    try:
        with open_uri(uri) as f:
            return magic_is_image(f.read(16))
    except OSError:
        return False


def input_kind(path: str) -> str:
    """`tar`, `parquet` or `image` by extension; `unknown` without one (sniff it); `other` (not an input)."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".tar":
        return "tar"
    if ext == ".parquet":
        return "parquet"
    if ext in IMAGE_EXTENSIONS:
        return "image"
    return "other" if ext else "unknown"
