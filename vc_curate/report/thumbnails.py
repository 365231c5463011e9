"""Thumbnails for the report, re-read from each record's `uri` and inlined as base64 JPEG."""

from __future__ import annotations

import base64
import io

from PIL import Image

from vc_curate.decode import DecodeOptions, decode_bytes
from vc_curate.inputs import read_uri_bytes


def thumbnail_data_uri(uri: str, long_side: int = 360) -> str:
    """A `data:image/jpeg;base64,...` URI of the image at most `long_side` pixels on its long side.

    Raises whatever reading or decoding raises; the caller shows the reason instead of the picture.
    """
    image = decode_bytes(read_uri_bytes(uri), DecodeOptions(long_side=long_side))
    picture = Image.fromarray(image.pixels)
    if max(picture.size) > long_side:
        picture.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
