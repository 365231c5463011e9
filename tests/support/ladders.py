"""Degradation ladders of rising severity, made from a photo, for checking that the classic scorer's quality
falls with each degradation's severity (tests and benchmarks; no part of the package).

Spatial severities (blur, motion, downscale) are in pixels of a 1024-pixel view of the whole image (the way
people look at a photo), scaled to the file's native size; noise and JPEG quality are in native pixels, as a
camera or an encoder produces them. Every rung is encoded in memory, as a user's file would be.

`OTHER_FORMS` makes the same kinds of damage another way (exposure in linear light, a veil over the whole
frame, bloom, defocus, diagonal shake, pixelation): one generator per kind overstates how well quality follows a
kind. Another team's engine once found over-exposure at -0.43 where these ladders said -0.96.
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
OTHER_LEVELS: dict[str, tuple[float, ...]] = {
    "exposure_up": (0, 0.5, 1, 1.5, 2, 3),  # stops of exposure added, in linear light, clipped at white
    "exposure_down": (0, 0.5, 1, 1.5, 2, 3),  # stops taken away, in linear light
    "veil": (0, 0.1, 0.2, 0.3, 0.45, 0.6),  # share of white light over the whole frame (veiling glare)
    "bloom": (0, 0.3, 0.6, 1, 1.5, 2.5),  # strength of the light bright areas spill around them
    "defocus": (0, 1, 2, 3, 5, 8),  # radius of a disc blur (an out-of-focus lens), view pixels
    "diagonal_shake": (0, 3, 6, 10, 16, 24),  # diagonal streak length, view pixels
    "pixelate": (1, 1.5, 2, 3, 4, 6),  # view long side divided by this, then enlarged with nearest pixels
}
OTHER_FORMS = tuple(OTHER_LEVELS)
ALL_LEVELS = LEVELS | OTHER_LEVELS


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


def _through_small(img: Image.Image, factor: float, down: Image.Resampling, up: Image.Resampling) -> Image.Image:
    """The view's long side divided by `factor`, then enlarged back to the file's size."""
    if factor <= 1:
        return img
    w, h = img.size
    s = min(1.0, VIEW / max(w, h)) / factor
    return img.resize((max(1, round(w * s)), max(1, round(h * s))), down).resize((w, h), up)


def downscale(img: Image.Image, factor: float) -> Image.Image:
    return _through_small(img, factor, Image.Resampling.LANCZOS, Image.Resampling.BICUBIC)


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
    return veil(img, strength * np.clip((1.2 * radius - d) / (0.4 * radius), 0, 1)[..., None])


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


def _linear(arr: np.ndarray) -> np.ndarray:
    a = arr / 255
    return np.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055) ** 2.4)


def _encoded(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0, 1)
    return 255 * np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def exposure(img: Image.Image, stops: float) -> Image.Image:
    """As if the camera had let in 2**stops times the light (negative: less)."""
    return img if stops == 0 else _from_float(_encoded(_linear(np.asarray(img, np.float32)) * 2.0**stops))


def veil(img: Image.Image, share: float | np.ndarray) -> Image.Image:
    """The picture washed towards white by `share` of the way, everywhere or per pixel (H, W, 1)."""
    arr = np.asarray(img, np.float32)
    return _from_float(arr + (255 - arr) * share)


def bloom(img: Image.Image, strength: float) -> Image.Image:
    """Bright areas spill light around them (lens and sensor flare): their blurred excess is added."""
    if strength <= 0:
        return img
    arr = np.asarray(img, np.float32)
    excess = Image.fromarray(np.clip((arr - 180) * 3, 0, 255).astype(np.uint8))
    spill = np.asarray(excess.filter(ImageFilter.GaussianBlur(max(img.size) / 30)), np.float32)
    return _from_float(arr + strength * spill)


def _convolve(img: Image.Image, kernel: np.ndarray) -> Image.Image:
    """Each channel convolved with `kernel` (odd sides), edges extended: FFT, so large kernels stay fast."""
    from scipy.signal import fftconvolve

    ky, kx = kernel.shape[0] // 2, kernel.shape[1] // 2
    arr = np.pad(np.asarray(img, np.float32), ((ky, ky), (kx, kx), (0, 0)), mode="edge")
    return _from_float(np.stack([fftconvolve(arr[..., c], kernel, mode="valid") for c in range(3)], -1))


def defocus(img: Image.Image, radius: float) -> Image.Image:
    r = radius * _view_scale(img)
    if r < 0.5:
        return img
    k = int(np.ceil(r))
    yy, xx = np.mgrid[-k : k + 1, -k : k + 1]
    disc = (xx * xx + yy * yy <= r * r).astype(np.float32)
    return _convolve(img, disc / disc.sum())


def diagonal_shake(img: Image.Image, length: float) -> Image.Image:
    n = int(round(length * _view_scale(img))) // 2 * 2 + 1  # odd: the streak is centred
    return img if n <= 1 else _convolve(img, np.eye(n, dtype=np.float32) / n)


def pixelate(img: Image.Image, factor: float) -> Image.Image:
    return _through_small(img, factor, Image.Resampling.BILINEAR, Image.Resampling.NEAREST)


APPLY: dict[str, Callable[[Image.Image, float], Image.Image]] = {
    "gaussian_blur": gaussian_blur, "motion_blur": motion_blur, "downscale": downscale, "darken": darken,
    "brighten": brighten, "glare": glare, "low_contrast": low_contrast, "noise": noise,
    "jpeg": lambda img, _q: img,
    "exposure_up": exposure, "exposure_down": lambda img, stops: exposure(img, -stops), "veil": veil,
    "bloom": bloom, "defocus": defocus, "diagonal_shake": diagonal_shake, "pixelate": pixelate,
}


def encode_jpeg(img: Image.Image, quality: int = ENCODE_QUALITY) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality))
    return buf.getvalue()


def ladder(img: Image.Image, degradation: str) -> list[tuple[float, bytes]]:
    """(severity, encoded bytes) rungs of one degradation, mildest first; severity rises along the list."""
    img = img.convert("RGB")
    rungs = []
    for level in ALL_LEVELS[degradation]:
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
