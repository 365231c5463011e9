"""From measurements to the five attribute amounts and to quality (0..100, higher is better).

Every mapping is smooth and strictly monotonic, so quality falls steadily with each defect's severity.
Constants are calibrated on degradation ladders (tests/vc_curate/scorers/classic/test_calibration.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch


@dataclass(slots=True)
class Measurements:
    mean_lightness: torch.Tensor  # CIE L*, 0..100
    lightness_std: torch.Tensor  # RMS contrast in L* units
    colourfulness: torch.Tensor  # Hasler-Süsstrunk M
    blur: torch.Tensor  # Crété-Roffet blur effect, 0 sharp .. 1 blurry
    noise_sigma: torch.Tensor  # luma units (0..255)
    clipped_highlights: torch.Tensor  # share of pixels at or near full scale
    crushed_shadows: torch.Tensor  # share of pixels with L* < 3
    veil: torch.Tensor  # share of bright, featureless pixels (glare)
    megapixels: torch.Tensor  # native size
    jpeg_quality: torch.Tensor  # IJG-equivalent, NaN when not a JPEG

    def row(self, i: int) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)[i]) for f in fields(self)}


def _saturate(x: torch.Tensor, scale: float) -> torch.Tensor:
    return 100 * (1 - torch.exp(-x / scale))


def attributes(ms: Measurements) -> dict[str, torch.Tensor]:
    return {
        "brightness": ms.mean_lightness.clamp(0, 100),
        "colorfulness": _saturate(ms.colourfulness, 50.0),
        "contrast": _saturate(ms.lightness_std, 18.0),
        "sharpness": 100 * (1 - ms.blur).clamp(0, 1) ** 0.8,
        "noisiness": _saturate(ms.noise_sigma, 6.0),
    }


def _rise(x: torch.Tensor, centre: float, width: float) -> torch.Tensor:
    """Smooth 0..1 step that rises through `centre`."""
    return torch.sigmoid((x - centre) / width)


def penalties(ms: Measurements, attrs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Each defect's share of quality lost, 0..1."""
    jpeg = torch.where(ms.jpeg_quality.isnan(), torch.zeros_like(ms.jpeg_quality),
                       _rise(-ms.jpeg_quality, -40.0, 12.0))
    return {
        "blur": 0.7 * _rise(-attrs["sharpness"], -45.0, 10.0),
        "noise": 0.6 * _rise(attrs["noisiness"], 45.0, 12.0),
        "dark": 0.6 * _rise(-ms.mean_lightness, -30.0, 8.0),
        "overexposed": 0.7 * (ms.clipped_highlights.clamp(0, 1) ** 0.6),
        "low_contrast": 0.5 * _rise(-ms.lightness_std, -10.0, 3.0),
        "glare": 0.6 * (ms.veil.clamp(0, 1) ** 0.6),
        "compression": 0.6 * jpeg,
        "low_resolution": 0.4 * _rise(-ms.megapixels, -0.15, 0.05),
    }


def quality(ms: Measurements, attrs: dict[str, torch.Tensor]) -> torch.Tensor:
    keep = torch.ones_like(ms.mean_lightness)
    for p in penalties(ms, attrs).values():
        keep = keep * (1 - p)
    return 100 * keep
