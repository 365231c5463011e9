"""Degradation ladders of rising severity, made from a photo, for checking that the classic scorer's quality
falls with each degradation's severity (tests and benchmarks; no part of the package).

Spatial severities (blur, motion, downscale) are in pixels of a 1024-pixel view of the whole image (the way
people look at a photo), scaled to the file's native size; noise and JPEG quality are in native pixels, as a
camera or an encoder produces them. Every rung is encoded in memory, as a user's file would be.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter

from vc_curate.evaluate import stats

VIEW = 1024  # long side of the reference view for spatial severities
ENCODE_QUALITY = 95  # rungs other than the JPEG ladder's are stored as high-quality JPEG

# severity levels per degradation; the first is the undegraded photo
LEVELS: dict[str, tuple[float, ...]] = {
    "gaussian_blur": (0, 0.75, 1.5, 2.5, 4, 6),  # sigma, view pixels
    "motion_blur": (0, 3, 6, 10, 16, 24),  # horizontal streak length, view pixels
    "downscale": (1, 1.5, 2, 3, 4, 6),  # view long side divided by this, then upscaled back
    "darken": (0, 15, 30, 45, 60, 75),  # percent of each encoded value taken away
    "brighten": (0, 20, 40, 70, 100, 150),  # percent added to each encoded value, clipped at white
    "glare": (0, 4, 8, 15, 25, 40),  # percent of the frame under a bright veil
    "low_contrast": (0, 20, 40, 55, 70, 80),  # percent of contrast taken away (towards the mean grey)
    "jpeg": (95, 75, 50, 30, 18, 10),  # JPEG quality (lower is more severe)
    "noise": (0, 3, 6, 10, 16, 25),  # sigma of added Gaussian noise, 0..255, per channel
}
DEGRADATIONS = tuple(LEVELS)


def _view_scale(img: Image.Image) -> float:
    return max(1.0, max(img.size) / VIEW)


def _from_float(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), "RGB")


def gaussian_blur(img: Image.Image, sigma: float) -> Image.Image:
    return img if sigma <= 0 else img.filter(ImageFilter.GaussianBlur(sigma * _view_scale(img)))


def motion_blur(img: Image.Image, length: float) -> Image.Image:
    n = int(round(length * _view_scale(img)))
    if n <= 1:
        return img
    arr = np.asarray(img, dtype=np.float32)
    padded = np.pad(arr, ((0, 0), (n // 2, n - 1 - n // 2), (0, 0)), mode="edge")
    csum = np.cumsum(padded, axis=1, dtype=np.float64)
    csum = np.concatenate([np.zeros_like(csum[:, :1]), csum], axis=1)
    return _from_float((csum[:, n:] - csum[:, :-n]) / n)


def downscale(img: Image.Image, factor: float) -> Image.Image:
    if factor <= 1:
        return img
    w, h = img.size
    s = min(1.0, VIEW / max(w, h)) / factor
    small = img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.LANCZOS)
    return small.resize((w, h), Image.Resampling.BICUBIC)


def darken(img: Image.Image, percent: float) -> Image.Image:
    return img if percent <= 0 else _from_float(np.asarray(img, np.float32) * (1 - percent / 100))


def brighten(img: Image.Image, percent: float) -> Image.Image:
    return img if percent <= 0 else _from_float(np.asarray(img, np.float32) * (1 + percent / 100))


def glare(img: Image.Image, percent: float, strength: float = 0.75) -> Image.Image:
    """A soft-edged disc, off centre, where the picture is washed towards white (veiling glare)."""
    if percent <= 0:
        return img
    w, h = img.size
    radius = np.sqrt(percent / 100 * w * h / np.pi)
    yy, xx = np.ogrid[:h, :w]
    d = np.sqrt((xx - 0.4 * w) ** 2 + (yy - 0.4 * h) ** 2, dtype=np.float32)
    veil = strength * np.clip((1.2 * radius - d) / (0.4 * radius), 0, 1)[..., None]
    arr = np.asarray(img, np.float32)
    return _from_float(arr + (255 - arr) * veil)


def low_contrast(img: Image.Image, percent: float) -> Image.Image:
    if percent <= 0:
        return img
    arr = np.asarray(img, np.float32)
    mean = float(np.asarray(img.convert("L"), np.float32).mean())
    return _from_float(mean + (arr - mean) * (1 - percent / 100))


def noise(img: Image.Image, sigma: float, seed: int = 0) -> Image.Image:
    if sigma <= 0:
        return img
    arr = np.asarray(img, np.float32)
    rng = np.random.default_rng(seed)
    return _from_float(arr + rng.standard_normal(arr.shape, dtype=np.float32) * sigma)


APPLY: dict[str, Callable[[Image.Image, float], Image.Image]] = {
    "gaussian_blur": gaussian_blur, "motion_blur": motion_blur, "downscale": downscale, "darken": darken,
    "brighten": brighten, "glare": glare, "low_contrast": low_contrast, "noise": noise,
    "jpeg": lambda img, _q: img,
}


def encode_jpeg(img: Image.Image, quality: int = ENCODE_QUALITY) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality))
    return buf.getvalue()


def ladder(img: Image.Image, degradation: str) -> list[tuple[float, bytes]]:
    """(severity, encoded bytes) rungs of one degradation, mildest first; severity rises along the list."""
    img = img.convert("RGB")
    rungs = []
    for level in LEVELS[degradation]:
        if degradation == "jpeg":
            rungs.append((100 - level, encode_jpeg(img, int(level))))
        else:
            rungs.append((level, encode_jpeg(APPLY[degradation](img, level))))
    return rungs


def spearman(x: list[float], y: list[float]) -> float:
    """Spearman rank correlation (ties averaged); 0 when either side is constant (a flat ladder)."""
    return float(np.nan_to_num(stats.spearman(x, y)))


def ladder_correlations(scorer, sources: dict[str, Image.Image], fields: tuple[str, ...],
                        degradations: tuple[str, ...] = DEGRADATIONS) -> dict[str, dict[str, dict[str, float]]]:
    """{degradation: {source: {field: Spearman(severity, score)}}}, scoring every rung through `scorer.score`."""
    out: dict[str, dict[str, dict[str, float]]] = {d: {} for d in degradations}
    for name, img in sources.items():
        for deg in degradations:
            rungs = ladder(img, deg)
            records = scorer.score([(f"{name}/{deg}/{sev:g}", data) for sev, data in rungs])
            bad = [r.error for r in records if r.error]
            if bad:
                raise RuntimeError(f"{name}/{deg}: {bad[0]}")
            sev = [s for s, _ in rungs]
            out[deg][name] = {f: spearman(sev, [getattr(r, f) for r in records]) for f in fields}
    return out
