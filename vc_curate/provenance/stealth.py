"""Stealth PNG info: generation metadata hidden in pixel least-significant bits (NovelAI, WebUI extensions).

The payload is a bit stream in column-major pixel order: a 15-byte magic, a 32-bit big-endian payload length
in bits, then the payload (gzip for the `comp` variants). `stealth_png*` uses the alpha channel (1 bit per
pixel), `stealth_rgb*` the R, G, B channels (3 bits per pixel). Only the first column's pixels are needed to
test the magic, so unmarked PNGs cost a partial inflate of their first rows, never a full decode.
"""

from __future__ import annotations

import gzip
import io
import json
import struct
import zlib

import numpy as np
from PIL import Image

from vc_curate.provenance.containers import MAX_TEXT, png_chunks
from vc_curate.provenance.finding import GENERATOR, Finding
from vc_curate.provenance.generators import parameters_tool, text_tool

MAGIC_ALPHA = {b"stealth_pnginfo": False, b"stealth_pngcomp": True}  # magic -> payload is gzip
MAGIC_RGB = {b"stealth_rgbinfo": False, b"stealth_rgbcomp": True}
MAGIC_BITS = 15 * 8


def stealth_findings(data: bytes, image: Image.Image) -> list[Finding]:
    header = _ihdr(data)
    if header is None:
        return []
    width, height, channels, interlaced = header
    mode = _magic_mode(data, width, height, channels, interlaced)
    if mode is None:
        return []
    magic, compressed, rgb = mode
    kind = magic.decode()[len("stealth_"):]
    try:
        payload = _payload(data, rgb, compressed)
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        return [Finding(f"stealth:{kind} (unreadable payload: {type(exc).__name__})", GENERATOR)]
    return [Finding(f"stealth:{kind} ({_tool(payload) or 'unrecognised payload'})", GENERATOR)]


def _ihdr(data: bytes) -> tuple[int, int, int, bool] | None:
    """(width, height, channels, interlaced) of an 8-bit RGB or RGBA PNG; None for anything else."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if depth != 8 or color not in (2, 6) or not width or not height:
        return None
    return width, height, 3 if color == 2 else 4, interlace == 1


def _magic_mode(data: bytes, width: int, height: int, channels: int, interlaced: bool):
    """(magic, compressed, rgb) when the first pixels carry a stealth magic, else None."""
    rows = MAGIC_BITS if channels == 4 else MAGIC_BITS // 3  # alpha: 1 bit per pixel, RGB: 3
    if interlaced or height < rows:  # rare layouts: read the few pixels from a full decode
        pixels = _decoded_columns(data, 1 + rows // height)
    else:
        pixels = _first_column(data, width, channels, rows)
    if pixels is None:
        return None
    if channels == 4:
        magic = np.packbits(pixels[:MAGIC_BITS, 3] & 1).tobytes()
        if magic in MAGIC_ALPHA:
            return magic, MAGIC_ALPHA[magic], False
    magic = np.packbits(pixels[:MAGIC_BITS // 3, :3].reshape(-1) & 1).tobytes()
    if magic in MAGIC_RGB:
        return magic, MAGIC_RGB[magic], True
    return None


def _first_column(data: bytes, width: int, channels: int, rows: int) -> np.ndarray | None:
    """The first pixel of each of the first `rows` rows, unfiltered from a partial inflate of IDAT."""
    stride = 1 + width * channels
    need = rows * stride
    inflater, raw = zlib.decompressobj(), bytearray()
    for kind, start, end in png_chunks(data):
        if kind == b"IDAT":
            raw += inflater.decompress(data[start:end], need - len(raw))
            if len(raw) >= need:
                break
    if len(raw) < need:
        return None
    out, above = [], [0] * channels
    for r in range(rows):
        kind, pixel = raw[r * stride], raw[r * stride + 1:r * stride + 1 + channels]
        # With no pixel to the left, Sub adds 0, Average adds above // 2, Up and Paeth add above.
        add = above if kind in (2, 4) else [a // 2 for a in above] if kind == 3 else [0] * channels
        above = [(p + a) & 0xFF for p, a in zip(pixel, add)]
        out.append(above)
    return np.array(out, dtype=np.int32)


def _decoded_columns(data: bytes, columns: int) -> np.ndarray | None:
    """The first `columns` columns in column-major order, as (pixels, channels), from a full decode."""
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        arr = np.asarray(im.crop((0, 0, min(columns, im.width), im.height)))
    return np.ascontiguousarray(arr.transpose(1, 0, 2)).reshape(-1, arr.shape[2]).astype(np.int32)


def _payload(data: bytes, rgb: bool, compressed: bool) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        height = im.height
        per_pixel = 3 if rgb else 1
        bits = _bits(im, rgb, _ceil(_ceil(MAGIC_BITS + 32, per_pixel), height))
        length = int.from_bytes(np.packbits(bits[MAGIC_BITS:MAGIC_BITS + 32]).tobytes(), "big")
        if length <= 0 or length > 8 * (MAX_TEXT + 4096):
            raise ValueError(f"payload length {length} bits")
        total = MAGIC_BITS + 32 + length
        bits = _bits(im, rgb, _ceil(_ceil(total, per_pixel), height))
    if len(bits) < total:
        raise EOFError("payload runs past the image")
    raw = np.packbits(bits[MAGIC_BITS + 32:total]).tobytes()
    if compressed:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
            raw = gz.read(MAX_TEXT)
    return raw


def _bits(im: Image.Image, rgb: bool, columns: int) -> np.ndarray:
    arr = np.asarray(im.crop((0, 0, min(columns, im.width), im.height)))
    arr = arr.transpose(1, 0, 2)  # column-major: x outer, y inner
    return (arr[..., :3] if rgb else arr[..., 3]).reshape(-1) & 1


def _tool(payload: bytes) -> str | None:
    text = payload.decode("utf-8", errors="replace")
    fields = _json_object(text)
    if fields is None:
        return parameters_tool(text)
    for key, value in fields.items():
        if isinstance(value, str) and (tool := text_tool(str(key), value)):
            return tool
    return None


def _json_object(text: str) -> dict | None:
    """A JSON object payload, or None (also for nesting too deep to parse)."""
    head = text.lstrip()
    if not head.startswith("{"):
        return None
    try:
        value = json.loads(head)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _ceil(a: int, b: int) -> int:
    return -(-a // b)
