"""`classic`: measures from pixels and the JPEG header, mapped to 0..100 and combined into quality."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vc_curate import __version__
from vc_curate.decode import DecodedImage, DecodeOptions
from vc_curate.scorer import Scorer, Scores
from vc_curate.scorers.classic import measures as m
from vc_curate.scorers.classic.critique import compose_critique
from vc_curate.scorers.classic.quality import Measurements, attributes, quality

MIN_SIDE = 16  # pad tiny images so every filter has room; the padding is NaN and ignored
MARGIN = 8  # NaN border around every image (even, >= any filter radius): borders look the same in any batch


@dataclass(slots=True)
class _Prepared:
    pixels: torch.Tensor  # uint8 (3, H, W)
    image: DecodedImage


class ClassicScorer(Scorer):
    name = "classic"
    default_batch_size = 16

    def __init__(self, *, long_side: int = 768, **options):
        super().__init__(**options)
        self.long_side = long_side

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
        valid = ~rgb[:, 0:1].isnan()
        lstar = m.lightness(rgb)
        y = m.luma(rgb)
        lflat = lstar.flatten(1)
        highlights = (rgb.nan_to_num(0).amax(1, keepdim=True) >= 250 / 255)
        veil = (lstar > 85) & (m.local_std(lstar) < 2.0)
        pixels = torch.tensor([p.image.width * p.image.height for p in items], dtype=torch.float32)
        jpeg_q = torch.tensor([p.image.jpeg_quality if p.image.jpeg_quality is not None else float("nan")
                               for p in items], dtype=torch.float32)
        return Measurements(
            mean_lightness=lflat.nanmean(1).cpu(),
            lightness_std=m.nanstd(lstar).cpu(),
            colourfulness=m.hasler_susstrunk(rgb).cpu(),
            blur=m.blur_effect(y).cpu(),
            noise_sigma=m.haar_noise_sigma(y).cpu(),
            clipped_highlights=m.fraction(highlights, valid).cpu(),
            crushed_shadows=m.fraction(lstar < 3, valid).cpu(),
            veil=m.fraction(veil, valid).cpu(),
            megapixels=pixels / 1e6,
            jpeg_quality=jpeg_q,
        )

    def score_batch(self, batch: list[_Prepared]) -> list[Scores]:
        ms = self.measure(batch)
        attrs = attributes(ms)
        q = quality(ms, attrs)
        out = []
        for i in range(len(batch)):
            row = {k: float(v[i]) for k, v in attrs.items()}
            out.append(Scores(quality=float(q[i]), critique=compose_critique(ms.row(i), row), **row))
        return out
