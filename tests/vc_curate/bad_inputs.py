"""Real bad files of every kind the issue names, built from real encoders, for input tests."""

from __future__ import annotations

import struct
import zlib

from tests.conftest import encode, scene


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A tiny PNG whose header declares billions of pixels: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def bad_inputs() -> dict[str, bytes]:
    jpeg = encode(scene((320, 240)), "JPEG", quality=90)
    png = encode(scene((320, 240)), "PNG")
    return {
        "empty.jpg": b"",
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated.png": png[: len(png) // 2],
        "not_an_image.jpg": b"<html><body>404 not found</body></html>",
        "unknown_format.bin": bytes(range(256)) * 4,
        "bomb.png": png_bomb(),
    }


def png_chunk_offsets(png: bytes, kind: bytes) -> list[int]:
    """Where each `kind` chunk's data starts in a PNG."""
    pos, found = 8, []
    while pos + 8 <= len(png):
        length, chunk = struct.unpack(">I4s", png[pos:pos + 8])
        if chunk == kind:
            found.append(pos + 8)
        pos += 12 + length
    return found


def idat_flipped(png: bytes, offset: int) -> bytes:
    """The PNG with one byte of its first IDAT's compressed data inverted (its CRC left stale, as on disk)."""
    data = bytearray(png)
    data[png_chunk_offsets(png, b"IDAT")[0] + offset] ^= 0xFF
    return bytes(data)


def png_of_zeros(width: int, height: int, bit_depth: int = 1, colour_type: int = 0) -> bytes:
    """A valid all-black PNG of any size (rows of zeros compress to almost nothing), built chunk by chunk."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + -(-width * channels * bit_depth // 8))
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def with_png_chunks(png: bytes, chunks: list[bytes]) -> bytes:
    """`png` with `chunks` (from `png_chunk`) inserted before IEND."""
    return png[:-12] + b"".join(chunks) + png[-12:]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return _png_chunk(kind, data)
