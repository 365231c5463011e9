"""From measurements to the five attribute amounts, to defect amounts and to quality (0..100, higher better).

Quality is a regression fitted to human opinion (benchmarks/fit_classic.py, on livec-dev) over natural-scene
statistics, global measures and defect amounts; the weights of the defect amounts are held negative in the
fit, so quality falls with each defect's severity. The fitted parameters ship as JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources

import torch

from vc_curate.scorers.classic import nss

PARAMS_FILE = "params.json"


@dataclass(slots=True)
class Measurements:
    mean_lightness: torch.Tensor  # CIE L*, 0..100
    lightness_std: torch.Tensor  # global RMS contrast in L* units
    local_contrast: torch.Tensor  # RMS contrast in L* within 32-pixel blocks, averaged
    colourfulness: torch.Tensor  # Hasler-Süsstrunk M
    # colour detail (FRIQUEE reads colour statistics next to luma's): mean local sigma of the red-green and of
    # the yellow-blue opponent channel, 0..1 units, on 4x4 block means
    red_green_detail: torch.Tensor
    yellow_blue_detail: torch.Tensor
    blur: torch.Tensor  # Crété-Roffet blur effect, worse direction, noise discounted: 0 sharp .. 1 blurry
    blur_skew: torch.Tensor  # blur effect's largest gap between perpendicular directions: motion-blur streaks
    noise_sigma: torch.Tensor  # luma units (0..255) at the working size
    clipped: torch.Tensor  # share of the frame at the encoding's maximum and flat, per channel: blown-out areas
    shadows: torch.Tensor  # share of the frame below L* 15: crushed shadows
    highlight_level: torch.Tensor  # L* of the brightest 2 % of the frame: how far the exposure reaches
    tonal_range: torch.Tensor  # L* between the 1st and 99th percentile: how much of the range is used
    veil: torch.Tensor  # mean dark channel (He et al. 2009): haze, glare, washed-out blacks
    megapixels: torch.Tensor  # native size
    jpeg_quality: torch.Tensor  # IJG-equivalent, NaN when not a JPEG
    nss: torch.Tensor  # (N, len(nss.FEATURE_NAMES)) natural-scene statistics

    @classmethod
    def cat(cls, parts: list[Measurements]) -> Measurements:
        return cls(**{f.name: torch.cat([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    def row(self, i: int) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)[i]) for f in fields(self) if f.name != "nss"}


def _saturate(x: torch.Tensor, scale: float) -> torch.Tensor:
    return 100 * (1 - torch.exp(-x / scale))


def attributes(ms: Measurements) -> dict[str, torch.Tensor]:
    """The five amounts, 0..100: descriptions of the image, neither good nor bad by themselves."""
    return {
        "brightness": ms.mean_lightness.clamp(0, 100),
        "colorfulness": _saturate(ms.colourfulness, 50.0),
        "contrast": _saturate(ms.lightness_std, 18.0),
        "sharpness": 100 * (1 - ms.blur).clamp(0, 1),
        "noisiness": 100 * torch.sigmoid((ms.noise_sigma.clamp_min(1e-3).log() - math.log(2.5)) / 0.6),
    }


def _ramp(x: torch.Tensor, onset: float, full: float) -> torch.Tensor:
    """0 up to `onset`, 1 from `full` on, linear between (`full` < `onset` for a measure that falls)."""
    return ((x - onset) / (full - onset)).clamp(0, 1)


def _jpeg_quality(ms: Measurements) -> torch.Tensor:
    """The JPEG quality, 100 for a file without one (lossless)."""
    return torch.where(ms.jpeg_quality.isnan(), torch.full_like(ms.jpeg_quality, 100.0), ms.jpeg_quality)


def defects(ms: Measurements) -> dict[str, torch.Tensor]:
    """Each defect's amount, 0 (none) .. 1 (full strength), rising steadily with its severity from where it
    starts to show; keys are words of the defects vocabulary (vc_curate.fields.DEFECTS)."""
    jpeg = _jpeg_quality(ms)
    return {
        "blur": _ramp(ms.blur, 0.35, 0.75),
        "motion-blur": _ramp(ms.blur_skew, 0.05, 0.25) * _ramp(ms.blur, 0.3, 0.6),
        "noise": _ramp(ms.noise_sigma.clamp_min(1e-3).log(), 0.0, math.log(10.0)),  # sigma 1 .. 10 luma units
        # absolute levels: the brightest parts are still dark (a night scene with lights is not underexposed)
        "underexposure": _ramp(ms.highlight_level, 70.0, 15.0),
        # bright all over and little of the tonal range used: washed out (a white product shot uses the range);
        # or blown out over most of the frame, where clipped highlights alone stop costing more at a quarter
        "overexposure": torch.maximum(_ramp(ms.mean_lightness, 70.0, 90.0) * _ramp(ms.tonal_range, 70.0, 30.0),
                                      _ramp(ms.clipped, 0.25, 0.6)),
        "clipped-highlights": _ramp(ms.clipped, 0.0, 0.25),
        # a veil lifts the blacks and flattens what it covers: lifted blacks alone are as often a white wall,
        # sand or sky with crisp detail (He et al.'s dark channel misreads bright objects)
        "glare": _ramp(ms.veil, 0.15, 0.55) * _ramp(ms.local_contrast, 10.0, 4.0),
        # flat in detail and in the whole: a sunset over a dark ridge is flat in places, not low in contrast
        "low-contrast": _ramp(ms.local_contrast, 6.0, 1.0) * _ramp(ms.lightness_std, 30.0, 15.0),
        # from JPEG quality 75 down: livec-dev's JPEGs, all saved at 75, are rated as its lossless photos are
        "compression": _ramp(jpeg, 75.0, 15.0),
        "low-resolution": _ramp(ms.megapixels.clamp_min(1e-4).log(), math.log(0.5), math.log(0.02)),
    }


# beyond a normal exposure, more light is not better: the model reads these levels capped
EXPOSURE_CAPS = {"mean_lightness": 50.0, "highlight_level": 85.0, "tonal_range": 85.0}
# colour detail below this (0..1 units, 3.3 of 255) reads as none: the fit makes colour detail cost (chroma
# noise, colour fringes), and without a floor a photo made black-and-white gained 20 points on average
# (livec-dev)
COLOUR_DETAIL_FLOOR = 0.013
# measures that grow (+1) or shrink (-1) with quality wherever they move: their fitted weights keep that sign,
# so that no measure of a defect can make up for what the defect itself costs, and highlights that reach
# further or a tonal range more fully used (both capped at a normal exposure) never cost quality
UNNATURALNESS = "unnaturalness"  # the input the model derives itself: see NaturalScenes
DIRECTIONS = {"blur": -1, "blur_skew": -1, "log_noise": -1, "clipped": -1, "veil": -1, "jpeg_quality": +1,
              "highlight_level": +1, "tonal_range": +1, UNNATURALNESS: -1}


def design(ms: Measurements) -> tuple[torch.Tensor, tuple[str, ...]]:
    """The model's inputs (N, F) and their names: NSS features, global measures and defect amounts."""
    stats = ms.nss.clone()
    logs = nss.log_var_columns()
    stats[:, logs] = stats[:, logs].clamp_min(1e-8).log()
    jpeg = _jpeg_quality(ms)
    measures = {
        "mean_lightness": ms.mean_lightness, "lightness_std": ms.lightness_std,
        "local_contrast": ms.local_contrast, "colourfulness": ms.colourfulness,
        "log_red_green_detail": ms.red_green_detail.clamp_min(COLOUR_DETAIL_FLOOR).log(),
        "log_yellow_blue_detail": ms.yellow_blue_detail.clamp_min(COLOUR_DETAIL_FLOOR).log(), "blur": ms.blur,
        "blur_skew": ms.blur_skew, "log_noise": ms.noise_sigma.clamp_min(1e-2).log(), "clipped": ms.clipped,
        "shadows": ms.shadows, "highlight_level": ms.highlight_level, "tonal_range": ms.tonal_range,
        "veil": ms.veil, "jpeg_quality": jpeg,
    }
    for name, cap in EXPOSURE_CAPS.items():
        measures[name] = measures[name].clamp(max=cap)
    found = defects(ms)
    cols = [stats] + [v[:, None] for v in measures.values()] + [v[:, None] for v in found.values()]
    names = nss.FEATURE_NAMES + tuple(measures) + tuple(f"defect:{k}" for k in found)
    return torch.cat(cols, 1).float().nan_to_num(0.0), names


def kernel_columns(names) -> list[int]:
    """The inputs the kernel term reads: all but the defect amounts, the clipped share, the JPEG quality and
    unnaturalness. The fitted photos hold too little clipping for the kernel to learn it, and reading it, the
    kernel gave back up to 14 of the points clipped highlights cost on a brightened photo. livec-dev's JPEG
    quality is 75 or none (lossless), so the kernel read it as which kind of file a photo is: a lossless photo
    saved as JPEG at quality 50 scored higher than the original; unnaturalness costs its linear weight however
    far an image lies from the fitted ones."""
    return [i for i, n in enumerate(names)
            if not n.startswith("defect:") and n not in ("clipped", "jpeg_quality", UNNATURALNESS)]


@dataclass(frozen=True, slots=True)
class NaturalScenes:
    """NIQE's idea (Mittal, Soundararajan and Bovik 2013): a multivariate Gaussian fitted to the scene
    statistics of the photos people rated best; an image's Mahalanobis distance from it says how unnatural its
    statistics are, whichever way they moved. Single statistics turn back under heavy blur (neighbours grow as
    alike as in a clean smooth photo, which reads as better); the distance keeps growing, as under noise."""

    columns: tuple[str, ...]  # the scene statistics it reads (model inputs, by name)
    mean: torch.Tensor  # (S,)
    scale: torch.Tensor  # (S,)
    precision: torch.Tensor  # (S, S): inverse covariance of the standardised statistics

    def distance(self, x: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
        z = (x[:, [names.index(c) for c in self.columns]] - self.mean.to(x.device)) / self.scale.to(x.device)
        # row by row (no matrix products), so an image gets the same bits in a batch of any size
        return ((z[:, :, None] * self.precision.to(x.device)).sum(1) * z).sum(1).clamp_min(0).sqrt()

    def with_distance(self, x: torch.Tensor, names: tuple[str, ...]) -> tuple[torch.Tensor, tuple[str, ...]]:
        """`x` with the distance appended as the input UNNATURALNESS."""
        return torch.cat([x, self.distance(x, names)[:, None].to(x.dtype)], 1), (*names, UNNATURALNESS)

    @classmethod
    def from_dict(cls, d: dict) -> NaturalScenes:
        t = lambda k: torch.tensor(d[k], dtype=torch.float32)  # noqa: E731
        return cls(tuple(d["columns"]), t("mean"), t("scale"), t("precision").reshape(len(d["columns"]), -1))

    def to_dict(self) -> dict:
        return {"columns": list(self.columns), "mean": _rounded(self.mean), "scale": _rounded(self.scale),
                "precision": _rounded(self.precision)}


def _rounded(v: torch.Tensor) -> list[float]:
    return [float(f"{x:.5g}") for x in v.flatten().tolist()]


@dataclass(frozen=True, slots=True)
class QualityModel:
    """Ridge regression plus a Gaussian-kernel correction on standardised inputs z = (x - mean) / scale, where
    x is the design's inputs and, where they hold scene statistics, their unnaturalness (`NaturalScenes`):
    quality = bias + z . weight + sum_i coef_i exp(-gamma |z' - centre_i|^2), where z' leaves out the defect
    amounts, the clipped share and unnaturalness (`kernel_columns`): each defect costs its linear weight
    whatever the rest of the image, and the kernel term fades away from the opinion-scored images it was
    fitted on. Measures without a known direction are read within the range the fitted images spanned, so an
    image unlike them (a 24-megapixel photo, an AI image) is not scored by extrapolating a slope far beyond
    where it was learned; defect amounts and the measures in DIRECTIONS are not bounded, so a defect keeps
    costing however far it goes.
    """

    names: tuple[str, ...]
    mean: torch.Tensor
    scale: torch.Tensor
    weight: torch.Tensor
    bias: float
    centres: torch.Tensor  # (M, F), standardised
    coef: torch.Tensor  # (M,)
    gamma: float
    low: torch.Tensor  # (F,) each input's least and greatest value among the fitted images
    high: torch.Tensor
    scenes: NaturalScenes | None  # None where the design holds no scene statistics (a small test table)
    bounded: torch.Tensor = field(init=False, repr=False)  # (F,) the inputs read within [low, high]
    seen: list[int] = field(init=False, repr=False)  # the inputs the kernel term reads (`kernel_columns`)

    def __post_init__(self) -> None:  # derived once, not per batch
        bounded = torch.tensor([not n.startswith("defect:") and n not in DIRECTIONS for n in self.names])
        object.__setattr__(self, "bounded", bounded)
        object.__setattr__(self, "seen", kernel_columns(self.names))

    @classmethod
    def from_dict(cls, d: dict) -> QualityModel:
        t = lambda k: torch.tensor(d[k], dtype=torch.float32)  # noqa: E731
        centres = t("centres").reshape(-1, len(kernel_columns(d["names"])))
        scenes = NaturalScenes.from_dict(d["scenes"]) if d["scenes"] is not None else None
        return cls(tuple(d["names"]), t("mean"), t("scale"), t("weight"), float(d["bias"]), centres,
                   t("coef"), float(d["gamma"]), t("low"), t("high"), scenes)

    def to_dict(self) -> dict:
        r = _rounded
        return {"names": list(self.names), "mean": r(self.mean), "scale": r(self.scale),
                "weight": r(self.weight), "bias": self.bias, "gamma": self.gamma, "coef": r(self.coef),
                "centres": r(self.centres), "low": r(self.low), "high": r(self.high),
                "scenes": self.scenes.to_dict() if self.scenes is not None else None}

    def predict(self, x: torch.Tensor, names: tuple[str, ...]) -> torch.Tensor:
        if names != (self.names[:-1] if self.scenes is not None else self.names):
            raise ValueError("the shipped quality parameters were fitted on other inputs; refit them")
        x = x.float()
        if self.scenes is not None:
            x, names = self.scenes.with_distance(x, names)
        x = torch.where(self.bounded.to(x.device), x.clamp(self.low.to(x.device), self.high.to(x.device)), x)
        z = (x - self.mean.to(x.device)) / self.scale.to(x.device)
        # row by row (no matrix products), so an image scores the same bits in a batch of any size
        linear = (z * self.weight.to(x.device)).sum(1) + self.bias
        if not len(self.coef):
            return linear
        seen = z[:, self.seen]
        distance = ((seen[:, None, :] - self.centres.to(x.device)[None]) ** 2).sum(-1)
        return linear + (torch.exp(-self.gamma * distance) * self.coef.to(x.device)).sum(1)

    def defect_cost(self, name: str) -> float:
        """Quality points a full-strength defect costs in the linear part (positive)."""
        i = self.names.index(f"defect:{name}")
        return float(-self.weight[i] / self.scale[i])


@lru_cache(maxsize=1)
def shipped_model() -> QualityModel:
    """The fitted parameters shipped with the package, read once."""
    text = resources.files("vc_curate.scorers.classic").joinpath(PARAMS_FILE).read_text()
    return QualityModel.from_dict(json.loads(text))


EASED = 10.0  # quality points next to 0 and to 100 within which the model's value is eased towards the bound


def within_bounds(value: torch.Tensor) -> torch.Tensor:
    """The model's value on 0..100 without ties at the bounds: unchanged from 10 to 90, and beyond, eased
    exponentially towards 0 or 100 (continuous, with its slope). Clipped instead, 30 of agiqa3k-dev's 600 AI
    images tie at 0 and 7 at 100, and lose their order; now quality ranks images as the fitted model does,
    which is what the cross-validated figure measures."""
    low = EASED * torch.exp((value - EASED) / EASED)
    high = 100 - EASED * torch.exp((100 - EASED - value) / EASED)
    return torch.where(value < EASED, low, torch.where(value > 100 - EASED, high, value))


def quality(ms: Measurements, model: QualityModel) -> torch.Tensor:
    x, names = design(ms)
    return within_bounds(model.predict(x, names))
