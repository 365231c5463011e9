"""Bytes to RGB pixels at a scorer's working size, with clear errors for anything that is not a usable image.

JPEGs are decoded at reduced size (draft mode) when the scorer needs fewer pixels, but never below a quarter
of the native size, so the measures still see noise and blocking; compression is read from the JPEG
quantisation tables instead of from pixels.
"""

from __future__ import annotations

import io
import math
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from vc_curate.provenance.containers import PNG_SIGNATURE, png_chunks

DEFAULT_MAX_PIXELS = 200_000_000
# Pixels x channels x bytes per channel, from the header, before decoding: a 200 MP 8-bit RGB image (600 MB)
# fits; a 16-bit RGBA image of 135 MP does not.
DEFAULT_MAX_DECODED_BYTES = 1 << 30
# PNG text handed to Pillow: a longer chunk (inflated) is skipped with a note, and so is text past the total.
# ComfyUI workflows pass Pillow's own 1 MB default; provenance reads every chunk's start from the bytes itself.
MAX_TEXT_CHUNK = 16 << 20
MAX_TEXT_MEMORY = 64 << 20
MIN_DRAFT_SCALE = 1 / 4
_NOTES = "vc_curate.notes"  # key in an opened image's `info`: what `open_image` left out, for `decode_opened`
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")

# The IJG (libjpeg) standard luminance table, in natural order: the reference for quality estimates.
_IJG_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
], dtype=np.float64)

_ORIENTATION_SWAPS = {5, 6, 7, 8}
_T = Image.Transpose
_TRANSPOSE = {2: _T.FLIP_LEFT_RIGHT, 3: _T.ROTATE_180, 4: _T.FLIP_TOP_BOTTOM, 5: _T.TRANSPOSE,
              6: _T.ROTATE_270, 7: _T.TRANSVERSE, 8: _T.ROTATE_90}


class DecodeError(Exception):
    """The bytes are not a usable image; the message says why and, where it helps, what to do."""


@dataclass(slots=True)
class DecodedImage:
    pixels: np.ndarray  # uint8, (H, W, 3), at most `long_side` on the long side
    width: int  # native size after EXIF orientation
    height: int
    format: str | None
    jpeg_quality: float | None  # estimated from the quantisation tables (IJG scale 1..100)
    notes: tuple[str, ...] = ()  # what decoding left out (go to the record's `notes`)


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    long_side: int = 512
    max_pixels: int = DEFAULT_MAX_PIXELS
    # JPEG decodes at 1/2, 1/4 or 1/8 scale where that is at least this share of `long_side`: a phone photo
    # decoded at 1/8 instead of 1/4 costs a third of the time, at a working size of up to 20 % less with 0.8
    draft_floor: float = 1.0


def set_pillow_limits() -> None:
    """Hand Pillow's module-wide limits to vc-curate's own, checked per image here (done once, on first use).

    Every Pillow user in the process sees these settings: no pixel limit (`open_image` checks pixels and
    decoded bytes from the header), and the text limits above.
    """
    global _pillow_limits_set
    if not _pillow_limits_set:
        Image.MAX_IMAGE_PIXELS = None
        PngImagePlugin.MAX_TEXT_CHUNK = MAX_TEXT_CHUNK
        PngImagePlugin.MAX_TEXT_MEMORY = MAX_TEXT_MEMORY
        _pillow_limits_set = True


_pillow_limits_set = False


def open_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
               max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES) -> Image.Image:
    """Open (headers only) and check size limits; metadata is readable from the result without decoding."""
    if not data:
        raise DecodeError("empty file (0 bytes)")
    set_pillow_limits()
    data, notes = _without_large_text(data)
    try:
        im = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        head = data[:8].hex(" ")
        raise DecodeError(f"not an image, or an image format this build cannot read (first bytes: {head})") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DecodeError(f"cannot open image: {exc}") from None
    w, h = im.size
    if w <= 0 or h <= 0:
        raise DecodeError(f"image has no pixels ({w}x{h})")
    if w * h > max_pixels:
        raise DecodeError(
            f"decompression bomb: {w}x{h} = {w * h:,} pixels exceeds the limit of {max_pixels:,} "
            "(raise it with --max-pixels if the file is trusted)"
        )
    decoded = decoded_bytes(im)
    if decoded > max_decoded_bytes:
        raise DecodeError(f"decompression bomb: {w}x{h} {im.mode} decodes to {decoded / 2**20:,.0f} MiB, over the "
                          f"limit of {max_decoded_bytes / 2**20:,.0f} MiB")
    im.info[_NOTES] = notes
    return im


def decoded_bytes(im: Image.Image) -> int:
    """Pixels x channels x bytes per channel of the full decode, from the header alone."""
    rawmode = im.tile[0].args if im.tile else None
    rawmode = rawmode[0] if isinstance(rawmode, tuple) and rawmode else rawmode
    depth = 4 if im.mode in ("I", "F") or im.mode.startswith("I;32") else 1
    if im.mode.startswith("I;16") or (isinstance(rawmode, str) and ";16" in rawmode):
        depth = 2
    return im.width * im.height * len(im.getbands()) * depth


def _without_large_text(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """A PNG without the text chunks past Pillow's limits (which would fail the whole image), and notes."""
    if not data.startswith(PNG_SIGNATURE):
        return data, ()
    cuts, notes, total = [], [], 0
    for kind, start, end in png_chunks(data):
        if kind not in _TEXT_CHUNKS:
            continue
        size = _text_size(kind, data[start:end])
        if size > MAX_TEXT_CHUNK or total + size > MAX_TEXT_MEMORY:
            cuts.append((start - 8, end + 4))
            what = f"over {MAX_TEXT_CHUNK >> 20} MiB" if size > MAX_TEXT_CHUNK else f"{size / 2**20:.0f} MiB"
            notes.append(f"metadata: {what} text chunk skipped")
        else:
            total += size
    if not cuts:
        return data, ()
    kept, pos = [], 0
    for a, b in cuts:
        kept.append(data[pos:a])
        pos = b
    kept.append(data[pos:])
    return b"".join(kept), tuple(notes)


def _text_size(kind: bytes, body: bytes) -> int:
    """The text's size as Pillow would hold it; compressed text inflated only up to just past the limit."""
    key, _, rest = body.partition(b"\0")
    if kind == b"zTXt":
        compressed = rest[1:]
    elif kind == b"iTXt" and rest[:1] == b"\1":
        compressed = rest[2:].partition(b"\0")[2].partition(b"\0")[2]
    else:
        return len(rest)
    inflater = zlib.decompressobj()
    try:
        return len(inflater.decompress(compressed, MAX_TEXT_CHUNK + 1))
    except zlib.error:
        return len(compressed)  # Pillow reports it as unreadable text, never as a failed image


def jpeg_quality(im: Image.Image) -> float | None:
    """IJG-equivalent quality (1..100) from the luminance quantisation table; None for non-JPEGs."""
    tables = getattr(im, "quantization", None)
    if not tables or 0 not in tables:
        return None
    q = np.asarray(tables[0], dtype=np.float64)
    if q.size != 64:
        return None
    scale = 100.0 * q.sum() / _IJG_LUMA.sum()  # order-free, so zigzag or natural order both work
    quality = 100.0 - scale / 2.0 if scale <= 100.0 else 5000.0 / scale
    return float(min(100.0, max(1.0, quality)))


def _draft(im: Image.Image, long_side: int, floor: float) -> None:
    w, h = im.size
    scale = max(min(1.0, floor * long_side / max(w, h)), MIN_DRAFT_SCALE)
    if scale < 1.0:
        im.draft(im.mode, (math.ceil(w * scale), math.ceil(h * scale)))


def _working_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    w, h = size
    scale = long_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _to_rgb(im: Image.Image, long_side: int) -> Image.Image:
    """Every mode to 8-bit RGB: high bit depths rescaled, transparency composited over white."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        arr = np.asarray(im, dtype=np.float32)
        peak = float(np.nanmax(arr)) if arr.size else 0.0
        if mode.startswith("I;16") or (mode == "I" and peak > 255) or (mode == "F" and peak > 255):
            arr = arr / 257.0
        elif mode == "F" and peak <= 1.0:
            arr = arr * 255.0
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
        gray = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "L")
        return gray.convert("RGB")
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode in ("P", "L", "RGB") and "transparency" in im.info):
        rgba = im if im.mode == "RGBA" else im.convert("RGBA")
        if max(rgba.size) > long_side:  # composite at working size: full-size copies cost 4 bytes a pixel each
            rgba = rgba.resize(_working_size(rgba.size, long_side), Image.Resampling.BILINEAR)  # premultiplied
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if mode == "1":
        return im.convert("L").convert("RGB")
    if mode != "RGB":
        try:
            return im.convert("RGB")
        except ValueError as exc:
            raise DecodeError(f"unsupported image mode {mode!r}: {exc}") from None
    return im


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # malformed EXIF must not cost the image
        return 1


def decode_opened(im: Image.Image, options: DecodeOptions) -> DecodedImage:
    """Decode an image from `open_image` to RGB at most `options.long_side` pixels on the long side."""
    fmt = im.format
    quality = jpeg_quality(im) if fmt == "JPEG" else None
    native_w, native_h = im.size
    try:
        if fmt == "JPEG":
            _draft(im, options.long_side, options.draft_floor)
        # Load before anything reads EXIF: PNG's getexif() decodes the image to reach a late eXIf chunk, and
        # a second load() after a swallowed decode error returns the partly decoded pixels as if whole.
        im.load()  # first frame of animations
        orientation = _orientation(im)
        if orientation in _ORIENTATION_SWAPS:
            native_w, native_h = native_h, native_w
        rgb = _to_rgb(im, options.long_side)
        if orientation in _TRANSPOSE:
            rgb = rgb.transpose(_TRANSPOSE[orientation])
        if max(rgb.size) > options.long_side:
            rgb = rgb.resize(_working_size(rgb.size, options.long_side), Image.Resampling.BILINEAR)
        pixels = np.array(rgb, dtype=np.uint8)  # writable: torch.from_numpy needs that
    except DecodeError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        hint = "" if "truncated" in str(exc) else " (the file is probably truncated or corrupt)"
        raise DecodeError(f"cannot decode {fmt or 'image'}: {exc}{hint}") from None
    return DecodedImage(pixels=np.ascontiguousarray(pixels), width=native_w, height=native_h,
                        format=fmt, jpeg_quality=quality, notes=tuple(im.info.get(_NOTES, ())))


def decode_bytes(data: bytes, options: DecodeOptions = DecodeOptions()) -> DecodedImage:
    return decode_opened(open_image(data, options.max_pixels), options)
