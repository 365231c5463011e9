"""Shared fixtures: the real photos in ../shared/data and small images made on the fly."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PHOTOS = SHARED / "data" / "photos"


@pytest.fixture(scope="session")
def photos() -> list[Path]:
    files = sorted(PHOTOS.glob("*.jpg"))
    if not files:
        pytest.fail(f"no photos in {PHOTOS}: tests need ../shared beside the repository")
    return files


def scene(size: tuple[int, int] = (96, 64), seed: int = 0) -> Image.Image:
    """A small natural-looking RGB image: smooth gradients, edges and texture."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    r = 0.5 + 0.4 * np.sin(6 * x + seed)
    g = 0.5 + 0.4 * np.cos(5 * y + 2 * x)
    b = (x + y) / 2
    img = np.stack([r, g, b], -1)
    img[(x - 0.5) ** 2 + (y - 0.3) ** 2 < 0.04] = [0.9, 0.2, 0.1]
    img += rng.normal(0, 0.02, img.shape)
    return Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8), "RGB")


def encode(im: Image.Image, fmt: str = "PNG", **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


@pytest.fixture
def make_scene():
    return scene
