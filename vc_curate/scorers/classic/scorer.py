"""`classic`: measures from pixels and the JPEG header, mapped to 0..100 and combined into quality."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from vc_curate.decode import DecodedImage, DecodeOptions
from vc_curate.fields import ATTRIBUTES
from vc_curate.options import ScorerOptions, option
from vc_curate.scorer import Scorer, Scores
from vc_curate.scorers.classic import measures as m
from vc_curate.scorers.classic import nss
from vc_curate.scorers.classic.critique import compose_critique, ranked_defects
from vc_curate.scorers.classic.quality import Measurements, attributes, defects, quality, shipped_model

VERSION = "classic/2"  # the records' `scorer`: changes when the measures or the fitted model change
# the measures are many small whole-image passes: one torch thread beside the decode workers beats torch's
# own threads competing with them (measured on 2 cores: 6.5 against 2.8 photos/s)
CPU_THREADS = 1
MIN_SIDE = 16  # pad tiny images so every filter has room; the padding is NaN and ignored
CLIP_LEVEL = 254 / 255  # the encoding's maximum, allowing one code value of rounding
SHADOW_LSTAR = 15.0  # L* below which detail is lost in shadow
DRAFT_FLOOR = 0.8  # a JPEG may be measured down to 80 % of the working size where its 1/2^k scaling lands there
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
    fills = ("quality", *ATTRIBUTES, "critique", "defects")
    default_batch_size = 8

    def __init__(self, **options):
        super().__init__(**options)
        self.long_side = self.options.long_side

    version = VERSION

    def decode_options(self) -> DecodeOptions:
        return DecodeOptions(long_side=self.long_side, max_pixels=self.max_pixels, draft_floor=DRAFT_FLOOR)

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
            batch[i, :, MARGIN : MARGIN + ph, MARGIN : MARGIN + pw] = p.pixels.to(self.device, non_blocking=True)
        return batch.div_(255.0)  # in place: the NaN margin stays NaN

    @torch.inference_mode()
    def measure(self, items: list[_Prepared]) -> Measurements:
        if self.device.type != "cpu":
            return self._measure(items)
        # on a CPU, one image at a time keeps each whole-image pass within the core's cache: 3-4x faster than
        # passes over the padded batch (measured on 500x500 photos)
        return Measurements.cat([self._measure([p]) for p in items])

    def _measure(self, items: list[_Prepared]) -> Measurements:
        rgb = self._batch(items)
        y = m.luma(rgb)  # working size: sharpness, noise and scene statistics need every pixel
        noise = m.noise_sigma(y)
        blur = m.blur_effect(y, noise)
        peak = rgb.amax(1, keepdim=True)
        top = m.block_min(peak, m.BLOCK)  # a block at the encoding's maximum throughout is flat and clipped
        clipped = torch.where(top.isnan(), top, (top >= CLIP_LEVEL).float())
        small = m.blocks(rgb)  # 4x4 block means: global statistics
        lstar = m.lightness(small)
        shadows = torch.where(lstar.isnan(), lstar, (lstar < SHADOW_LSTAR).float())
        levels = m.nanquantile(lstar, (0.01, 0.98, 0.99))
        white = m.nanquantile(small.amax(1, keepdim=True), 0.99).clamp_min(1 / 255)
        dark_channel = m.block_min(rgb.amin(1, keepdim=True)) / white[:, None, None, None]  # He et al. 2009
        pixels = torch.tensor([p.image.width * p.image.height for p in items], dtype=torch.float32)
        jpeg_q = torch.tensor([p.image.jpeg_quality if p.image.jpeg_quality is not None else float("nan")
                               for p in items], dtype=torch.float32)
        return Measurements(
            mean_lightness=m.nanmean(lstar).cpu(),
            lightness_std=m.nanstd(lstar).cpu(),
            local_contrast=m.nanmean(m.local_std(lstar)).cpu(),
            colourfulness=m.hasler_susstrunk(small).cpu(),
            blur=blur.amax(1).cpu(),
            blur_skew=(blur.amax(1) - blur.amin(1)).cpu(),
            noise_sigma=noise.cpu(),
            clipped=m.soft_fraction(clipped).cpu(),
            shadows=m.soft_fraction(shadows).cpu(),
            highlight_level=levels[1].cpu(),
            tonal_range=(levels[2] - levels[0]).cpu(),
            veil=m.nanmean(dark_channel).cpu(),
            megapixels=pixels / 1e6,
            jpeg_quality=jpeg_q,
            nss=nss.features(y / 255).cpu(),
        )

    def score_batch(self, batch: list[_Prepared]) -> list[Scores]:
        with _torch_threads(CPU_THREADS if self.device.type == "cpu" else None):
            ms = self.measure(batch)
        model = shipped_model()
        attrs = attributes(ms)
        amounts = defects(ms)
        q = quality(ms, model)
        costs = {d: model.defect_cost(d) for d in amounts}
        out = []
        for i in range(len(batch)):
            row = {k: _finite(v[i]) for k, v in attrs.items()}
            found = ranked_defects({k: float(v[i]) for k, v in amounts.items()}, costs)
            quality_i = _finite(q[i])
            critique = compose_critique(quality_i, row, found)
            out.append(Scores(quality=quality_i, critique=critique, defects=";".join(found), **row))
        return out


@contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    """Run with `n` torch threads (None: as they are), then restore the caller's setting."""
    before = torch.get_num_threads()
    if n is not None and n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _finite(value: torch.Tensor) -> float:
    """A measure with nothing to measure (a flat or 1-pixel image) counts as none of it: 0, as before."""
    return float(value.nan_to_num(0.0))
