"""`classic`: measures from pixels and the JPEG header, mapped to 0..100 and combined into quality."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vc_curate import __version__
from vc_curate.decode import DecodedImage, DecodeOptions
from vc_curate.fields import ATTRIBUTES
from vc_curate.options import ScorerOptions, option
from vc_curate.scorer import Scorer, Scores
from vc_curate.scorers.classic import measures as m
from vc_curate.scorers.classic.critique import compose_critique
from vc_curate.scorers.classic.quality import Measurements, attributes, defects, quality

MIN_SIDE = 16  # pad tiny images so every filter has room; the padding is NaN and ignored
MARGIN = 8  # NaN border around every image (even, >= any filter radius): borders look the same in any batch


@dataclass(slots=True)
class _Prepared:
    pixels: torch.Tensor  # uint8 (3, H, W)
    image: DecodedImage


@dataclass(frozen=True, kw_only=True)
class ClassicOptions(ScorerOptions):
    long_side: int = option(512, "working size: images are decoded to at most this many pixels on the long side",
                            minimum=64)


class ClassicScorer(Scorer):
    name = "classic"
    Options = ClassicOptions
    fills = ("quality", *ATTRIBUTES, "critique")
    default_batch_size = 8

    def __init__(self, **options):
        super().__init__(**options)
        self.long_side = self.options.long_side

    @property
    def version(self) -> str:
        return f"classic/{__version__}"

    def decode_options(self) -> DecodeOptions:
        return DecodeOptions(long_side=self.long_side, max_pixels=self.max_pixels)

    def prepare(self, image: DecodedImage) -> _Prepared:
        pixels = torch.from_numpy(image.pixels).permute(2, 0, 1)
        if self.device.type == "cuda":
            pixels = pixels.pin_memory()
        return _Prepared(pixels, image)

    def _batch(self, items: list[_Prepared]) -> torch.Tensor:
        h = max(MIN_SIDE, *(p.pixels.shape[1] for p in items)) + 2 * MARGIN
        w = max(MIN_SIDE, *(p.pixels.shape[2] for p in items)) + 2 * MARGIN
        batch = torch.full((len(items), 3, h, w), float("nan"), dtype=torch.float32, device=self.device)
        for i, p in enumerate(items):
            _, ph, pw = p.pixels.shape
            pixels = p.pixels.to(self.device, non_blocking=True).float() / 255.0
            batch[i, :, MARGIN : MARGIN + ph, MARGIN : MARGIN + pw] = pixels
        return batch

    @torch.inference_mode()
    def measure(self, items: list[_Prepared]) -> Measurements:
        rgb = self._batch(items)
        y = m.luma(rgb)  # working size: sharpness and noise need every pixel
        noise = m.noise_sigma(y)
        small = m.blocks(rgb)  # 4x4 block means: global statistics
        lstar = m.lightness(small)
        peak = small.amax(1, keepdim=True)
        white = m.nanquantile(peak, 0.99).clamp_min(1 / 255)  # the image's white point
        rel_peak = peak / white[:, None, None, None]
        dark_channel = m.block_min(rgb.amin(1, keepdim=True)) / white[:, None, None, None]  # He et al. 2009
        pixels = torch.tensor([p.image.width * p.image.height for p in items], dtype=torch.float32)
        jpeg_q = torch.tensor([p.image.jpeg_quality if p.image.jpeg_quality is not None else float("nan")
                               for p in items], dtype=torch.float32)
        return Measurements(
            mean_lightness=m.nanmean(lstar).cpu(),
            lightness_std=m.nanstd(lstar).cpu(),
            local_contrast=m.nanmean(m.local_std(lstar)).cpu(),
            colourfulness=m.hasler_susstrunk(small).cpu(),
            blur=m.blur_effect(y, noise).cpu(),
            noise_sigma=noise.cpu(),
            white=white.cpu(),
            clipped_highlights=m.soft_fraction(_ramp(rel_peak, 0.93, 0.98)).cpu(),
            veil=m.nanmean(dark_channel).cpu(),
            megapixels=pixels / 1e6,
            jpeg_quality=jpeg_q,
        )

    def score_batch(self, batch: list[_Prepared]) -> list[Scores]:
        ms = self.measure(batch)
        attrs = attributes(ms)
        found = defects(ms)
        q = quality(ms)
        out = []
        for i in range(len(batch)):
            row = {k: _finite(v[i]) for k, v in attrs.items()}
            critique = compose_critique(ms.row(i), row, {k: float(v[i]) for k, v in found.items()})
            out.append(Scores(quality=_finite(q[i]), critique=critique, **row))
        return out


def _finite(value: torch.Tensor) -> float:
    """A measure with nothing to measure (a flat or 1-pixel image) counts as none of it: 0, as before."""
    return float(value.nan_to_num(0.0))


def _ramp(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """0 below `lo`, 1 above `hi`, linear between (NaN stays NaN)."""
    return ((x - lo) / (hi - lo)).clamp(0, 1)
