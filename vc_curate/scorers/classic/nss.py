"""Natural-scene statistics of luma, batched over NaN-padded images: BRISQUE's features (Mittal, Moorthy and
Bovik 2012) at two scales, plus the spread of local contrast across the frame (as NIQE's patch selection and
FRIQUEE's sigma-field features use it).

Mean-subtracted contrast-normalised (MSCN) coefficients and their products with each of four neighbours are
fitted with (asymmetric) generalised Gaussians by moment matching. Distortions move these shapes away from
the ones natural photos have: blur makes them peakier, noise more Gaussian, blocking lopsided.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vc_curate.scorers.classic import measures as m

C = 1 / 255  # MSCN stabiliser, BRISQUE's 1 on the 0..255 scale
NOISE_FLOOR = 2.0  # the stabiliser is at least this many noise sigmas: what noise alone moves is not structure
TEXTURE = 0.02  # local luma sigma (0..1) above which a pixel counts as textured
SHIFTS = ((0, 1), (1, 0), (1, 1), (1, -1))  # horizontal, vertical, main and second diagonal neighbours
NAMES_PER_SCALE = ("mscn_shape", "mscn_var") + tuple(
    f"{d}_{s}" for d in ("h", "v", "d1", "d2") for s in ("shape", "mean", "left_var", "right_var"))
FEATURE_NAMES = (tuple(f"{n}_s{k}" for k in (1, 2) for n in NAMES_PER_SCALE)
                 + ("sigma_mean", "sigma_cv", "textured_share"))

_SHAPES = torch.arange(0.2, 10.0, 0.001, dtype=torch.float64)
# the moment ratio E[|x|]^2 / E[x^2] of a generalised Gaussian as a function of its shape
_RATIOS = torch.exp(2 * torch.lgamma(2 / _SHAPES) - torch.lgamma(1 / _SHAPES) - torch.lgamma(3 / _SHAPES))


def _gaussian_taps(size: int = 7, sigma: float = 7 / 6) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-x * x / (2 * sigma * sigma))
    return g / g.sum()


_TAPS = tuple(_gaussian_taps().tolist())  # plain floats: reading a tensor's element per use costs a dispatch


def _smooth(x: torch.Tensor) -> torch.Tensor:
    """Separable 7-tap Gaussian window (BRISQUE's), same size; NaN spreads only into the padding margin."""
    for dim in (-2, -1):
        padded = F.pad(x, (3, 3, 0, 0) if dim == -1 else (0, 0, 3, 3))
        n = x.shape[dim]
        acc = padded.narrow(dim, 0, n) * _TAPS[0]
        for i in range(1, len(_TAPS)):
            acc = acc.add_(padded.narrow(dim, i, n), alpha=_TAPS[i])
        x = acc
    return x


def mscn(y: torch.Tensor, c: torch.Tensor | float = C) -> tuple[torch.Tensor, torch.Tensor]:
    """MSCN coefficients of luma `y` (N, 1, H, W, 0..1, NaN padding) and the local contrast sigma field; `c`,
    the stabiliser, a number or one per image (N, 1, 1, 1)."""
    mu, sigma = _local_moments(y)
    return (y - mu) / (sigma + c), sigma


def _local_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Local mean and sigma of `x` within BRISQUE's Gaussian window."""
    mu = _smooth(x)
    return mu, (_smooth(x * x) - mu * mu).abs().sqrt()


def mean_local_sigma(x: torch.Tensor) -> torch.Tensor:
    """Mean local sigma of each channel of `x` (N, C, H, W, NaN padding), (N, C): how much detail it holds."""
    sigma = _local_moments(x)[1]
    rows = sigma.flatten(2).flatten(0, 1)  # one row per image and channel
    return (rows.nansum(1) / m.count_valid(rows).clamp_min(1)).reshape(sigma.shape[:2])


def _shape_from_ratio(ratio: torch.Tensor) -> torch.Tensor:
    table = _RATIOS.to(ratio.device)
    idx = (table[None, :] - ratio.double()[:, None]).abs().argmin(1)
    return _SHAPES.to(ratio.device)[idx].float()


def _moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per row, ignoring NaN: mean |x|, mean x^2, mean x^2 over the negative and over the other values."""
    n = m.count_valid(x)
    x = x.nan_to_num(0.0)
    neg = x.clamp(max=0.0)
    n_neg = -neg.sign().sum(1)  # sign is -1 where negative, 0 elsewhere (a float count: see count_valid)
    sq = torch.linalg.vecdot(x, x)
    sq_neg = torch.linalg.vecdot(neg, neg)
    abs_sum = x.sum(1) - 2 * neg.sum(1)
    return (abs_sum / n.clamp_min(1), sq / n.clamp_min(1), sq_neg / n_neg.clamp_min(1),
            (sq - sq_neg) / (n - n_neg).clamp_min(1))


def ggd(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Shape and variance of a zero-mean generalised Gaussian fitted to each row of `x` (NaN ignored)."""
    mean_abs, var, _, _ = _moments(x)
    return _shape_from_ratio(mean_abs**2 / var.clamp_min(1e-12)), var


def aggd(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shape, mean, left and right variance of an asymmetric generalised Gaussian (Lasmar et al. 2009)."""
    mean_abs, mean_sq, left_var, right_var = _moments(x)
    gamma = left_var.sqrt() / right_var.sqrt().clamp_min(1e-6)
    r = mean_abs**2 / mean_sq.clamp_min(1e-12)
    ratio = r * (gamma**3 + 1) * (gamma + 1) / (gamma**2 + 1) ** 2
    shape = _shape_from_ratio(ratio)
    s = shape.double()
    g1, g2, g3 = torch.lgamma(1 / s), torch.lgamma(2 / s), torch.lgamma(3 / s)
    scale = torch.exp(0.5 * (g1 - g3)).float()
    mean = (right_var.sqrt() - left_var.sqrt()) * scale * torch.exp(g2 - g1).float()
    return shape, mean, left_var, right_var


def _shifted_product(m: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """Each coefficient times its neighbour at (dy, dx); wrapped rows and columns meet the NaN margin."""
    return m * torch.roll(m, shifts=(-dy, -dx), dims=(-2, -1))


def scale_features(y: torch.Tensor, c: torch.Tensor | float = C) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The 18 BRISQUE features of one scale, each (N,), and the scale's local contrast sigma field."""
    m, sigma = mscn(y, c)
    out = list(ggd(m.flatten(1)))
    # the four neighbour products as rows of one tensor: one fit for all of them
    products = torch.cat([_shifted_product(m, dy, dx).flatten(1) for dy, dx in SHIFTS])
    fits = [f.reshape(len(SHIFTS), -1) for f in aggd(products)]  # shape, mean, left, right: (shifts, N)
    for k in range(len(SHIFTS)):
        out.extend(f[k] for f in fits)
    return out, sigma


def features(y: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
    """(N, len(FEATURE_NAMES)) features of luma `y` (N, 1, H, W), 0..1 with NaN padding: all 18 BRISQUE
    features at half and at a quarter of the working size (itself a view of the whole photo), and the spread
    of local contrast at half of it (full-size passes cost the most and gain little: tested on livec-dev).

    Given each image's noise sigma at the working size (N,), same units, the MSCN stabiliser of each scale is
    at least NOISE_FLOOR times the noise left there (white noise halves with each 2x2 mean), so that noise is
    not read as fine detail: the noise defect alone says what it costs. A clean photo keeps BRISQUE's 1/255.
    """
    half = m.block_mean(y, 2)
    c_half = c_quarter = C
    if noise is not None:
        floor = NOISE_FLOOR * noise.to(y.dtype)[:, None, None, None]
        c_half, c_quarter = (floor / 2).clamp_min(C), (floor / 4).clamp_min(C)
    cols, sigma = scale_features(half, c_half)
    cols += scale_features(m.block_mean(half, 2), c_quarter)[0]
    flat = sigma.flatten(1)
    n = m.count_valid(flat).clamp_min(1)
    flat = flat.nan_to_num(0.0)
    s_mean = flat.sum(1) / n
    s_sd = (torch.linalg.vecdot(flat, flat) / n - s_mean**2).clamp_min(0).sqrt()
    # share of the frame with resolved detail (NIQE keeps such patches as its sharp ones)
    sharp = (flat > TEXTURE).sum(1) / n
    cols += [s_mean, s_sd / s_mean.clamp_min(1e-4), sharp]
    return torch.stack(cols, 1)


def log_var_columns() -> list[int]:
    """Columns that are variances: the model reads their logarithm."""
    return [i for i, n in enumerate(FEATURE_NAMES) if n[:-1].endswith("var_s")]

