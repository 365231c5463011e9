"""The unit that flows into a scorer: a uri, its encoded bytes (or None to read lazily) and source columns."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ImageInput:
    uri: str
    data: bytes | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # set when the source already knows the image cannot be had


def as_image_input(item: Any) -> ImageInput:
    """Accept an ImageInput, a path/URL string, an os.PathLike or a `(uri, bytes)` pair."""
    if isinstance(item, ImageInput):
        return item
    if isinstance(item, (str, os.PathLike)):
        return ImageInput(uri=os.fspath(item))
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], (bytes, bytearray, memoryview)):
        return ImageInput(uri=str(item[0]), data=bytes(item[1]))
    raise TypeError(
        f"cannot score {type(item).__name__!r}: pass a path or URL, (uri, bytes) or vc_curate.inputs.ImageInput"
    )
