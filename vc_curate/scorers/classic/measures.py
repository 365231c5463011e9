"""Published, well-understood pixel measures, batched over NaN-padded images (padding is ignored).

Each function takes `rgb` of shape (N, 3, H, W), values 0..1, NaN outside each image, and returns one
value per image.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lightness(rgb: torch.Tensor) -> torch.Tensor:
    """CIE L* (0..100) of each pixel, (N, 1, H, W): perceived lightness."""
    lin = srgb_to_linear(rgb)
    y = 0.2126 * lin[:, 0:1] + 0.7152 * lin[:, 1:2] + 0.0722 * lin[:, 2:3]
    f = torch.where(y > (6 / 29) ** 3, y.clamp_min(1e-12) ** (1 / 3), y / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f - 16


def luma(rgb: torch.Tensor) -> torch.Tensor:
    """Rec. 709 luma on gamma-encoded values, 0..255, (N, 1, H, W)."""
    return 255 * (0.2126 * rgb[:, 0:1] + 0.7152 * rgb[:, 1:2] + 0.0722 * rgb[:, 2:3])


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1)


def nanstd(x: torch.Tensor) -> torch.Tensor:
    flat = _flat(x)
    mean = flat.nanmean(1, keepdim=True)
    return ((flat - mean) ** 2).nanmean(1).sqrt()


def fraction(mask: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Share of valid pixels where `mask` holds."""
    return _flat(mask & valid).sum(1) / _flat(valid).sum(1).clamp_min(1)


def hasler_susstrunk(rgb: torch.Tensor) -> torch.Tensor:
    """Colourfulness M of Hasler & Süsstrunk (2003) on the 0..255 scale (0 grey; ~109 extremely colourful)."""
    r, g, b = (255 * rgb[:, i : i + 1] for i in range(3))
    rg = r - g
    yb = 0.5 * (r + g) - b
    mean = torch.sqrt(_flat(rg).nanmean(1) ** 2 + _flat(yb).nanmean(1) ** 2)
    return torch.sqrt(nanstd(rg) ** 2 + nanstd(yb) ** 2) + 0.3 * mean


def blur_effect(y: torch.Tensor, size: int = 9) -> torch.Tensor:
    """Crété-Roffet et al. (2007) blur effect, 0 (sharp) .. 1 (blurry): how little a re-blur changes edges.

    Contrast-invariant: it compares the image's own neighbour differences before and after a box blur.
    """
    results = []
    for dim in (2, 3):
        shape = [1, 1, 1, 1]
        shape[dim] = size
        kernel = torch.full(shape, 1.0 / size, dtype=y.dtype, device=y.device)
        pad = [0, 0, 0, 0]
        pad[(3 - dim) * 2 : (3 - dim) * 2 + 2] = [size // 2, size // 2]
        blurred = F.conv2d(F.pad(y, pad, mode="replicate"), kernel)
        d_f = torch.diff(y, dim=dim).abs()
        d_b = torch.diff(blurred, dim=dim).abs()
        v = (d_f - d_b).clamp_min(0)
        s_f = _flat(d_f).nansum(1)
        s_v = _flat(v).nansum(1)
        results.append(torch.where(s_f > 1e-6, (s_f - s_v) / s_f.clamp_min(1e-6), torch.ones_like(s_f)))
    return torch.maximum(results[0], results[1])


def haar_noise_sigma(y: torch.Tensor) -> torch.Tensor:
    """Donoho's robust noise estimate: median |HH| / 0.6745 of the finest Haar wavelet band (luma units)."""
    h, w = y.shape[-2] // 2 * 2, y.shape[-1] // 2 * 2
    y = y[..., :h, :w]
    a, b = y[..., 0::2, 0::2], y[..., 0::2, 1::2]
    c, d = y[..., 1::2, 0::2], y[..., 1::2, 1::2]
    hh = (a - b - c + d) / 2
    return _flat(hh.abs()).nanmedian(1).values.nan_to_num(0.0) / 0.6745


def local_std(y: torch.Tensor, size: int = 7) -> torch.Tensor:
    """Standard deviation in a size x size window around each pixel (NaN near padding)."""
    kernel = torch.full((1, 1, size, size), 1.0 / size**2, dtype=y.dtype, device=y.device)
    mean = F.conv2d(y, kernel, padding=size // 2)
    mean_sq = F.conv2d(y * y, kernel, padding=size // 2)
    return (mean_sq - mean * mean).clamp_min(0).sqrt()
