"""Published, well-understood pixel measures, batched over NaN-padded images (padding is ignored).

Each function takes tensors of shape (N, C, H, W) with NaN outside each image and returns one value per
image. Global statistics run on 4x4 block means (16 times fewer pixels, same answer for a mean); only the
sharpness and noise measures need the working-size luma.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

BLOCK = 4  # side of the blocks that global statistics are computed on
JPEG_BLOCK = 8  # side of the blocks a JPEG codes in
NOISE_DISCOUNT = 0.5  # share of the noise's expected neighbour differences that the blur effect discounts
CLIPPED_LUMA = (0.5, 254.5)  # luma (0..255) at or beyond which a pixel is clipped to black or white


def _flat(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1)


def count_valid(x: torch.Tensor) -> torch.Tensor:
    """Finite values in each row of (N, M) `x`, as floats: a sum of ones where x * 0 is not NaN (torch's boolean
    masks and counts are several times slower on CPU than two float passes)."""
    return torch.mul(x, 0.0).add_(1.0).nansum(1)


def nanmean(x: torch.Tensor) -> torch.Tensor:
    return _flat(x).nanmean(1)


def nanstd(x: torch.Tensor) -> torch.Tensor:
    flat = _flat(x)
    mean = flat.nanmean(1, keepdim=True)
    return ((flat - mean) ** 2).nanmean(1).sqrt()


def soft_fraction(x: torch.Tensor) -> torch.Tensor:
    """Mean of a 0..1 per-pixel weight over the valid (non-NaN) pixels."""
    return _flat(x).nanmean(1).nan_to_num(0.0)


def blocks(x: torch.Tensor) -> torch.Tensor:
    """4x4 block means; a block touching the padding is NaN (ignored)."""
    return block_mean(x, BLOCK)


def _block_reduce(x: torch.Tensor, size: int, reduce) -> torch.Tensor:
    """`reduce(t, dim)` (torch.amax, torch.amin or _sum_along) over size x size blocks, dropping the partial
    ones at the edges as pooling does: rows, then columns (on CPU several times faster than pooling)."""
    n, c, h, w = x.shape
    h, w = h // size, w // size
    rows = reduce(x[..., : h * size, : w * size].reshape(n, c, h, size, w * size), 3)
    return reduce(rows.reshape(n, c, h, w, size), 4)


def _sum_along(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Sum over a short `dim` as whole-slice additions (torch's reduction over a short inner dimension is slow)."""
    total = x.select(dim, 0) + x.select(dim, 1)
    for i in range(2, x.shape[dim]):
        total += x.select(dim, i)
    return total


def block_mean(x: torch.Tensor, size: int) -> torch.Tensor:
    """Means over size x size blocks (size >= 2), partial blocks at the edges dropped, as avg_pool2d does (NaN
    where a block touches the padding); several times faster than avg_pool2d on CPU."""
    return _block_reduce(x, size, _sum_along).div_(size * size)


def block_max(x: torch.Tensor, size: int = 8) -> torch.Tensor:
    """Maximum over size x size blocks (NaN where a block touches the padding)."""
    return _block_reduce(x, size, torch.amax)


def srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def lightness(rgb: torch.Tensor) -> torch.Tensor:
    """CIE L* (0..100) of each pixel, (N, 1, H, W): perceived lightness (CIE 1976)."""
    lin = srgb_to_linear(rgb)
    y = 0.2126 * lin[:, 0:1] + 0.7152 * lin[:, 1:2] + 0.0722 * lin[:, 2:3]
    f = torch.where(y > (6 / 29) ** 3, y.clamp_min(1e-12) ** (1 / 3), y / (3 * (6 / 29) ** 2) + 4 / 29)
    return 116 * f - 16


LUMA_WEIGHTS = (0.2126, 0.7152, 0.0722)  # Rec. 709


def luma(rgb: torch.Tensor) -> torch.Tensor:
    """Rec. 709 luma on gamma-encoded values, 0..255, (N, 1, H, W): one 1x1 convolution, one pass."""
    weights = torch.tensor(LUMA_WEIGHTS, dtype=rgb.dtype, device=rgb.device).mul_(255).view(1, 3, 1, 1)
    return F.conv2d(rgb, weights)


def opponent(rgb: torch.Tensor) -> torch.Tensor:
    """Hasler and Süsstrunk's opponent channels of gamma-encoded RGB, (N, 2, H, W): red-green R - G and
    yellow-blue (R + G) / 2 - B, in the input's units."""
    r, g, b = (rgb[:, i : i + 1] for i in range(3))
    return torch.cat([r - g, 0.5 * (r + g) - b], 1)


def hasler_susstrunk(opponents: torch.Tensor) -> torch.Tensor:
    """Colourfulness M of Hasler & Süsstrunk (2003) on the 0..255 scale (0 grey; ~109 extremely colourful),
    from the `opponent` channels of 0..1 RGB."""
    rg, yb = 255 * opponents[:, 0:1], 255 * opponents[:, 1:2]
    mean = torch.sqrt(nanmean(rg) ** 2 + nanmean(yb) ** 2)
    return torch.sqrt(nanstd(rg) ** 2 + nanstd(yb) ** 2) + 0.3 * mean


def box_differences(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Differences of neighbouring 9-pixel box sums along `dim`, zero-padded (one shorter than `dim`): next
    minus this sum is the pixel entering the window minus the one leaving it, so one subtraction, no filter."""
    padded = F.pad(x, (0, 0, 4, 4) if dim == 2 else (4, 4, 0, 0))
    n = x.shape[dim] - 1
    return padded.narrow(dim, 9, n) - padded.narrow(dim, 0, n)


def blur_effect(y: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
    """Crété-Roffet et al. (2007) blur effect, 0 (sharp) .. 1 (blurry): how little a re-blur changes edges.

    Contrast-invariant: it compares the image's own neighbour differences before and after a box blur.
    Returns (N, 4): the vertical, horizontal, main-diagonal and second-diagonal directions, so motion blur
    shows whichever way the camera moved (compare a direction with its perpendicular: diagonal steps are
    longer, so diagonal values are not on the vertical and horizontal ones' scale).
    Given the noise sigma, part of the neighbour differences that white noise alone would explain
    (2 sigma / sqrt(pi) per pixel, all removed by the re-blur) is discounted first, so that noise reads less as
    detail; all of it would make sharpness swing with small errors of the noise estimate on clean images.
    Differences across the 8x8 grid a JPEG codes in are left out (`y`'s images start at a multiple of 8): its
    block edges are the codec's, not the scene's, and read as detail would make a JPEG copy look sharper.
    """
    results = []
    for dim in (2, 3):
        # zero padding only reaches the NaN margin around every image, so edges stay NaN (ignored)
        d_f = torch.diff(y, dim=dim).abs_()
        d_b = box_differences(y, dim).abs_()  # 9 times the 9-pixel box blur's differences
        # difference i is pixel i + 1 minus pixel i: across the grid where i + 1 is on it
        _off_grid(d_f, rows=JPEG_BLOCK - 1 if dim == 2 else None, cols=JPEG_BLOCK - 1 if dim == 3 else None)
        results.append(_effect(d_f, d_b, noise))
    for dx in (1, -1):
        # along a diagonal, on views: a pixel and the next, and the pixels leaving and entering a 9-pixel box
        d_f = (_along_diagonal(y, 5, dx) - _along_diagonal(y, 4, dx)).abs_()
        d_b = (_along_diagonal(y, 9, dx) - _along_diagonal(y, 0, dx)).abs_()
        # the views' row r steps from row r + 4 to r + 5 of `y`: across the grid where r + 5 is on it; columns alike
        _off_grid(d_f, rows=JPEG_BLOCK - 5, cols=JPEG_BLOCK - 5)
        results.append(_effect(d_f, d_b, noise))
    return torch.stack(results, 1)


def _off_grid(d: torch.Tensor, rows: int | None, cols: int | None) -> None:
    """NaN (ignored by the blur effect) in place: every JPEG_BLOCK-th row of `d` from `rows`, column from `cols`."""
    if rows is not None:
        d[..., rows::JPEG_BLOCK, :] = float("nan")
    if cols is not None:
        d[..., cols::JPEG_BLOCK] = float("nan")


def _along_diagonal(x: torch.Tensor, k: int, dx: int) -> torch.Tensor:
    """A view of `x` on a grid 9 pixels smaller each way, k steps along the main (dx 1) or second (dx -1)
    diagonal from its first pixel: views 0..9 are ten pixels in a row along that diagonal."""
    h, w = x.shape[-2] - 9, x.shape[-1] - 9
    col = k if dx == 1 else 9 - k
    return x[..., k : k + h, col : col + w]


def _effect(d_f: torch.Tensor, d_b: torch.Tensor, noise: torch.Tensor | None) -> torch.Tensor:
    """The blur effect from neighbour differences `d_f` and 9 times a 9-pixel box blur's `d_b` (NaN ignored)."""
    s_f = _flat(d_f).nansum(1)
    s_v = _flat(torch.sub(d_f, d_b, alpha=1 / 9).clamp_min_(0)).nansum(1)
    if noise is not None:
        expected = NOISE_DISCOUNT * noise * (2 / math.pi**0.5) * count_valid(_flat(d_f))
        expected = torch.minimum(expected, 0.5 * s_v)
        s_f, s_v = s_f - expected, s_v - expected
    return torch.where(s_f > 1e-6, 1 - s_v / s_f.clamp_min(1e-6), torch.ones_like(s_f))


def haar_hh(y: torch.Tensor) -> torch.Tensor:
    """Finest diagonal Haar wavelet band (N, 1, H/2, W/2), orthonormal: white noise keeps its sigma."""
    h, w = y.shape[-2] // 2 * 2, y.shape[-1] // 2 * 2
    y = y[..., :h, :w]
    return (y[..., 0::2, 0::2] - y[..., 0::2, 1::2] - y[..., 1::2, 0::2] + y[..., 1::2, 1::2]) / 2


def noise_sigma(y: torch.Tensor, flat_share: float = 0.25) -> torch.Tensor:
    """Noise sigma (luma units) from the finest diagonal Haar band, the band wavelet noise estimators use
    (Donoho & Johnstone 1994): its RMS over the quarter of 8x8-pixel blocks where it is lowest, as
    block-based estimators do (Lee & Hoppel 1989), so that texture and edges are not taken for noise.
    Blocks that touch black or white are left out: clipping flattens noise, it does not remove it.
    0 where no block is left."""
    hh = haar_hh(y)
    energy = _flat(block_mean(hh * hh, BLOCK))  # per 8x8 pixel block; NaN at the padding
    even = y[..., : hh.shape[-2] * 2, : hh.shape[-1] * 2]
    clipped = _flat((block_max(even) >= CLIPPED_LUMA[1]) | (block_min(even) <= CLIPPED_LUMA[0]))
    energy = torch.where(energy.isnan() | clipped, torch.full_like(energy, float("inf")), energy)
    found = count_valid(energy)
    valid = found.clamp_min(1)
    k = (valid * flat_share).ceil().long().clamp_min(1)
    ordered = energy.sort(1).values
    # mean energy of the flattest blocks, as an RMS sigma
    idx = torch.arange(ordered.shape[1], device=y.device).expand_as(ordered)
    take = idx < k[:, None]
    sel = torch.where(take, ordered, torch.zeros_like(ordered)).sum(1) / k
    return torch.where(found > 0, sel, torch.zeros_like(sel)).clamp_min(0).sqrt()


def block_min(x: torch.Tensor, size: int = 2 * BLOCK) -> torch.Tensor:
    """Minimum over size x size blocks (NaN where a block touches the padding)."""
    return _block_reduce(x, size, torch.amin)


def local_std(x: torch.Tensor, size: int = 8) -> torch.Tensor:
    """Standard deviation within size x size blocks (NaN where a block touches the padding)."""
    mean = block_mean(x, size)
    return (block_mean(x * x, size) - mean * mean).clamp_min(0).sqrt()


def quantiles(x: torch.Tensor, q: tuple[float, ...], low: float, high: float, bins: int = 2048) -> torch.Tensor:
    """Per-image quantiles (len(q), N) of the valid values of `x`, all within [low, high], read from a histogram
    (one pass instead of a sort; within 1/bins of the range; 0 for an image with no valid value)."""
    qs = torch.tensor(q, dtype=torch.float32, device=x.device)
    out = []
    for row in _flat(x).float():
        counts = torch.histc(row.clamp(low, high), bins=bins, min=low, max=high)  # NaN falls in no bin
        upto = counts.cumsum(0)
        target = qs * upto[-1]
        i = torch.searchsorted(upto, target).clamp(max=bins - 1)
        before = torch.where(i > 0, upto[(i - 1).clamp_min(0)], torch.zeros_like(target))
        within = ((target - before) / counts[i].clamp_min(1)).clamp(0, 1)
        value = low + (i + within) * (high - low) / bins
        out.append(torch.where(upto[-1] > 0, value, torch.zeros_like(value)))
    return torch.stack(out, 1)
