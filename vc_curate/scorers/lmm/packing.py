"""Which pass rates a loaded model: families known not to pack, the device, and a probe at load.

The probe scores one synthetic image with the chosen pass and with one plain forward per question and
compares them on the 0..100 scale, so a transformers release that changes how a model masks, caches or
positions its tokens is caught before any record is written, not after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image

from vc_curate.scorers.lmm.cached import rate_cached
from vc_curate.scorers.lmm.prompts import PromptPlan
from vc_curate.scorers.lmm.rating import Prepared, prepare_prefix, rate, rate_plain

# model_type -> why its questions cannot share one packed pass (the cached pass rates these).
PACKING_LIMITS = {
    "qwen3_5": "its linear-attention layers take no attention mask, so packed questions would read each other",
    "qwen3_5_moe": "its linear-attention layers take no attention mask, so packed questions would read each other",
    "mllama": "its cross-attention layers take their own mask, which packing does not build",
    "paligemma": "its whole prompt attends both ways (prefix-LM), so questions cannot share one prefix",
}
FP32_TOLERANCE = 1e-3  # points on the 0..100 scale
HALF_TOLERANCE = 0.5  # bf16/fp16: packed and plain sum in different orders


def probe_pixels(width: int = 320, height: int = 240) -> np.ndarray:
    """A fixed synthetic photo-like image: gradients, an edge and texture."""
    y, x = np.mgrid[0:height, 0:width] / max(width, height)
    texture = np.random.default_rng(0).normal(0, 0.05, (height, width))
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * x), 0.5 + 0.4 * np.cos(5 * y), (x + y > 0.7) * 0.6 + 0.2], -1)
    return (np.clip(rgb + texture[..., None], 0, 1) * 255).astype(np.uint8)


def tolerance(model: Any) -> float:
    return FP32_TOLERANCE if model.dtype == torch.float32 else HALF_TOLERANCE


def check_split(processor: Any, plan: PromptPlan, item: Prepared) -> None:
    """Refuse a template whose prefix, once the processor expands the image, tokenizes into its questions."""
    for s in plan.levels + tuple(n for n in plan.numbers if not n.whole) + (plan.critique,):
        whole = processor(images=[Image.fromarray(probe_pixels())], text=[plan.prefix + s.text],
                          add_special_tokens=plan.special, return_tensors="pt")["input_ids"][0]
        if whole.tolist() != item.ids.tolist() + list(s.ids):
            raise ValueError("the processor's expanded image prefix merges with the questions' first tokens for "
                             "this chat template and tokenizer; the prompts cannot share the image's prefix")


def choose_pass(model: Any, processor: Any, plan: PromptPlan, pad_id: int, model_type: str, prefer_cached: bool,
                ) -> tuple[Callable[..., list[dict[str, float]]], str | None]:
    """The fastest exact way to rate with this model, and a warning to give (None when the first choice is exact).

    The cached pass (the prefix once, then every question of every image in one batch over its cache) comes
    first where `prefer_cached`: on a GPU, where it leaves attention to the model's own kernels (SDPA,
    FlashAttention) instead of a dense 4-D mask, and wherever answers are generated from that cache anyway.
    Elsewhere (CPU) the packed pass comes first: one forward pass instead of two plus copies of the cache, which
    on a CPU costs more than the dense mask saves (docs/lmm.md, Speed). Families in PACKING_LIMITS are never
    packed. The first pass that matches plain passes on the probe image wins; if none does, one plain pass
    per question. Raises ValueError where the prompts do not split into prefix and questions at all.
    """
    item = prepare_prefix(processor, model, plan.prefix, probe_pixels(), pin=False, special=plan.special)
    check_split(processor, plan, item)
    plain = rate_plain(model, [item], plan.levels, pad_id)[0]
    passes = [("the cached pass", rate_cached), ("the packed pass", rate)]
    if not prefer_cached:
        passes.reverse()
    gaps: list[str] = []
    limit = PACKING_LIMITS.get(model_type)
    for name, fn in passes:
        if fn is rate and limit:
            continue
        gap = _gap(model, plan, fn(model, [item], plan.levels, pad_id)[0], plain, name)
        if gap is None:
            return fn, "; ".join(gaps + [f"{name} is exact and used"]) if gaps else None
        gaps.append(gap)
    unpacked = [f"the packed pass is not tried: {limit}"] if limit else []
    return rate_plain, "; ".join(unpacked + gaps + ["the image is encoded for each question"])


def _gap(model: Any, plan: PromptPlan, got: dict[str, float], plain: dict[str, float], name: str) -> str | None:
    """None when `got` equals the plain passes' values within tolerance, else the gap in words."""
    scale = {s.field: 100.0 if s.positives else 1.0 for s in plan.levels}
    gaps = {f: abs(got[f] - plain[f]) * scale[f] for f in plain}
    worst = max(gaps, key=gaps.__getitem__)
    if gaps[worst] <= tolerance(model):
        return None
    return (f"{name} differs from plain per-question passes on a probe image by {gaps[worst]:.3g} points "
            f"({worst}), above the {tolerance(model):g} allowed in {str(model.dtype).removeprefix('torch.')}")
