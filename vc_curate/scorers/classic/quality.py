"""From measurements to the five attribute amounts and to quality (0..100, higher is better).

Every mapping is smooth and strictly monotonic, so quality falls steadily with each defect's severity.
Constants are calibrated on degradation ladders (tests/vc_curate/scorers/classic/test_calibration.py).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import math

import torch


@dataclass(slots=True)
class Measurements:
    mean_lightness: torch.Tensor  # CIE L*, 0..100
    lightness_std: torch.Tensor  # global RMS contrast in L* units
    local_contrast: torch.Tensor  # RMS contrast in L* within 32-pixel blocks, averaged
    colourfulness: torch.Tensor  # Hasler-Süsstrunk M
    blur: torch.Tensor  # Crété-Roffet blur effect, noise discounted: 0 sharp .. 1 blurry
    noise_sigma: torch.Tensor  # luma units (0..255) at the working size
    white: torch.Tensor  # the brightest 4x4 block's brightest channel, 0..1
    clipped_highlights: torch.Tensor  # share of the frame at the white point: blown-out areas
    veil: torch.Tensor  # mean dark channel relative to the white point: haze, glare, washed-out blacks
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
        "sharpness": 100 * (1 - ms.blur).clamp(0, 1),
        "noisiness": 100 * torch.sigmoid((ms.noise_sigma.clamp_min(1e-3).log() - math.log(2.5)) / 0.6),
    }


def _rise(x: torch.Tensor, centre: float, width: float) -> torch.Tensor:
    """Smooth 0..1 step that rises through `centre`."""
    return torch.sigmoid((x - centre) / width)


# (weight, centre, width) of each defect's smooth step; calibrated on the degradation ladders
P: dict[str, tuple[float, float, float]] = {
    "blur": (0.7, 0.45, 0.08),  # blur effect
    "noise": (0.6, math.log(3.0), 0.5),  # log noise sigma
    "dark": (0.6, 0.7, 0.12),  # 1 - white point
    "overexposed": (0.6, 0.3, 0.08),  # clipped share
    "veil": (0.5, 0.55, 0.1),  # dark channel
    "low_contrast": (0.5, 0.05, 0.015),  # local contrast / lightness
    "compression": (0.6, 40.0, 12.0),  # JPEG quality
    "low_resolution": (0.3, 0.15, 0.05),  # megapixels
}


def defects(ms: Measurements) -> dict[str, torch.Tensor]:
    """Each defect's amount, 0..1, rising with its severity."""
    relative_contrast = ms.local_contrast / (ms.mean_lightness + 10)
    jpeg = torch.where(ms.jpeg_quality.isnan(), torch.full_like(ms.jpeg_quality, 100.0), ms.jpeg_quality)
    x = {
        "blur": ms.blur,
        "noise": ms.noise_sigma.clamp_min(1e-3).log(),
        "dark": 1 - ms.white,
        "overexposed": ms.clipped_highlights,
        "veil": ms.veil,
        "low_contrast": -relative_contrast,
        "compression": -jpeg,
        "low_resolution": -ms.megapixels,
    }
    out = {}
    for name, (_, centre, width) in P.items():
        if name in ("low_contrast", "compression", "low_resolution"):
            centre = -centre
        out[name] = _rise(x[name], centre, width)
    return out


def quality(ms: Measurements) -> torch.Tensor:
    """100 times the product of (1 - weight x amount) over the defects: each defect costs a share."""
    keep = torch.ones_like(ms.mean_lightness)
    for name, d in defects(ms).items():
        keep = keep * (1 - P[name][0] * d)
    return 100 * keep
