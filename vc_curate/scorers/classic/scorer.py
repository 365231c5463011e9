"""`classic`: measures from pixels and the JPEG header, mapped to 0..100 and combined into quality."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

import torch

from vc_curate.decode import DecodedImage, DecodeOptions
from vc_curate.fields import ATTRIBUTES
from vc_curate.options import ScorerOptions, option
from vc_curate.record import Record
from vc_curate.scorer import Scorer, Scores
from vc_curate.scorers.classic import measures as m
from vc_curate.scorers.classic import nss
from vc_curate.scorers.classic.critique import compose_critique, ranked_defects
from vc_curate.scorers.classic.quality import Measurements, attributes, defects, quality, shipped_model

VERSION = "classic/11"  # the records' `scorer`: changes when the measures or the fitted model change
MIN_SIDE = 16  # pad tiny images so every filter has room; the padding is NaN and ignored
CLIP_LEVEL = 250 / 255  # the encoding's maximum, less what JPEG's rounding and ringing take off clipped areas
SHADOW_LSTAR = 15.0  # L* below which detail is lost in shadow
DRAFT_FLOOR = 0.8  # a JPEG may be measured down to 80 % of the working size where its 1/2^k scaling lands there
MARGIN = m.JPEG_BLOCK  # NaN border around every image (>= any filter radius): borders look the same in any batch,
# and each image's JPEG blocks start on the measures' 8x8 grid


@dataclass(slots=True)
class _Prepared:
    pixels: torch.Tensor | None  # uint8 (3, H, W); None once measured
    image: DecodedImage
    measured: Measurements | None = None  # on a CPU, measured in the decode worker that decoded it
    failure: Exception | None = None  # what measuring it raised: the image's score fails, not its decode


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

    def score_iter(self, *args, **kwargs) -> Iterator[Record]:
        with one_torch_thread() if self.device.type == "cpu" else nullcontext():
            yield from super().score_iter(*args, **kwargs)

    def prepare(self, image: DecodedImage) -> _Prepared:
        """On a CPU the decode workers measure too, each image on its own (its passes stay in the core's cache),
        so measures use every core while the scoring thread only applies the model; on a GPU the batch is
        measured at once."""
        pixels = torch.from_numpy(image.pixels).permute(2, 0, 1)
        if self.device.type == "cuda":
            return _Prepared(pixels.pin_memory(), image)
        prep = _Prepared(pixels, image)
        try:
            prep.measured = self._measure([prep])
        except Exception as exc:  # noqa: BLE001 - reported as this image's score failure
            prep.failure = exc
        prep.pixels = None
        return prep

    def _batch(self, items: list[_Prepared]) -> torch.Tensor:
        h = max(MIN_SIDE, *(p.pixels.shape[1] for p in items)) + 2 * MARGIN
        w = max(MIN_SIDE, *(p.pixels.shape[2] for p in items)) + 2 * MARGIN
        batch = torch.empty((len(items), 3, h, w), dtype=torch.float32, device=self.device)
        for i, p in enumerate(items):
            _, ph, pw = p.pixels.shape
            inside = batch[i, :, MARGIN : MARGIN + ph, MARGIN : MARGIN + pw]
            torch.div(p.pixels.to(self.device, non_blocking=True), 255.0, out=inside)
            # NaN everywhere else: one write per pixel in all
            batch[i, :, :MARGIN].fill_(float("nan"))
            batch[i, :, MARGIN + ph :].fill_(float("nan"))
            batch[i, :, MARGIN : MARGIN + ph, :MARGIN].fill_(float("nan"))
            batch[i, :, MARGIN : MARGIN + ph, MARGIN + pw :].fill_(float("nan"))
        return batch

    def measure(self, items: list[_Prepared]) -> Measurements:
        """The measurements of prepared images, batched on a GPU; on a CPU those the workers took."""
        for p in items:
            if p.failure is not None:
                raise p.failure
        if all(p.measured is not None for p in items):
            return Measurements.cat([p.measured for p in items])
        return self._measure(items)

    @torch.inference_mode()
    def _measure(self, items: list[_Prepared]) -> Measurements:
        rgb = self._batch(items)
        y = m.luma(rgb)  # working size: sharpness, noise and clipping need every pixel
        noise = m.noise_sigma(y)
        blur = m.blur_effect(y, noise)
        # motion blur: one direction blurrier than its perpendicular, whichever way the camera moved
        skew = torch.maximum((blur[:, 0] - blur[:, 1]).abs(), (blur[:, 2] - blur[:, 3]).abs())
        # a channel at the encoding's maximum throughout a block is flat and clipped there; each clipped channel
        # counts a third: a blue sky clipped in blue has lost less than a white-out, and loses more as it brightens
        top = m.block_min(rgb, m.BLOCK)
        clipped = torch.where(top.isnan(), top, (top >= CLIP_LEVEL).float()).mean(1, keepdim=True)
        small = m.blocks(rgb)  # 4x4 block means: global statistics and colour detail
        opponents = m.opponent(small)
        colour_detail = nss.mean_local_sigma(opponents)
        lstar = m.lightness(small)
        shadows = torch.where(lstar.isnan(), lstar, (lstar < SHADOW_LSTAR).float())
        levels = m.quantiles(lstar, (0.01, 0.98, 0.99), 0.0, 100.0)
        white = m.quantiles(small.amax(1, keepdim=True), (0.99,), 0.0, 1.0)[0].clamp_min(1 / 255)
        dark_channel = m.block_min(rgb.amin(1, keepdim=True)) / white[:, None, None, None]  # He et al. 2009
        pixels = torch.tensor([p.image.width * p.image.height for p in items], dtype=torch.float32)
        jpeg_q = torch.tensor([p.image.jpeg_quality if p.image.jpeg_quality is not None else float("nan")
                               for p in items], dtype=torch.float32)
        return Measurements(
            mean_lightness=m.nanmean(lstar).cpu(),
            lightness_std=m.nanstd(lstar).cpu(),
            local_contrast=m.nanmean(m.local_std(lstar)).cpu(),
            colourfulness=m.hasler_susstrunk(opponents).cpu(),
            red_green_detail=colour_detail[:, 0].cpu(),
            yellow_blue_detail=colour_detail[:, 1].cpu(),
            blur=blur[:, :2].amax(1).cpu(),
            blur_skew=skew.cpu(),
            noise_sigma=noise.cpu(),
            clipped=m.soft_fraction(clipped).cpu(),
            shadows=m.soft_fraction(shadows).cpu(),
            highlight_level=levels[1].cpu(),
            tonal_range=(levels[2] - levels[0]).cpu(),
            veil=m.nanmean(dark_channel).cpu(),
            megapixels=pixels / 1e6,
            jpeg_quality=jpeg_q,
            nss=nss.features(y / 255, noise / 255).cpu(),
        )

    def score_batch(self, batch: list[_Prepared]) -> list[Scores]:
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


_threads_lock = threading.Lock()
_threads_users = 0
_threads_before = 0


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """One torch intra-op thread while any classic run on a CPU is under way, then the caller's setting back.

    The measures are many small whole-image passes run by every decode worker at once: torch's own threads
    on top of them oversubscribe the cores (measured on 2 cores: 2.8 against 6.5 photos/s)."""
    global _threads_users, _threads_before
    with _threads_lock:
        if _threads_users == 0:
            _threads_before = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_users += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_users -= 1
            if _threads_users == 0 and torch.get_num_threads() == 1:
                torch.set_num_threads(_threads_before)


def _finite(value: torch.Tensor) -> float:
    """A measure with nothing to measure (a flat or 1-pixel image) counts as none of it: 0, as before."""
    return float(value.nan_to_num(0.0))
