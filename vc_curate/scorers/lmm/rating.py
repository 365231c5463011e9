"""Q-Align ratings from one forward pass per batch: each image's prefix once, every question's suffix after it.

The sequence of a record is `[pad…] prefix q1 q2 … qn`; a 4-D mask lets each question's tokens see the
prefix and themselves only, and positions restart after the prefix for each question, so every question
reads exactly the logits it would read alone, while the image is encoded and attended to once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

from vc_curate.scorers.lmm.prompts import LEVEL_VALUES, Suffix

SKIP_KEYS = ("input_ids", "attention_mask", "mm_token_type_ids", "token_type_ids")


@dataclass(slots=True)
class Prepared:
    """One image's prefix, made in a decode worker: token ids with the image expanded, positions, pixels."""

    ids: torch.Tensor  # (L,) long
    positions: torch.Tensor  # (k, L): k = 1, or 3 for M-RoPE models (temporal, height, width)
    next_position: int  # where text after the prefix continues
    vision: dict[str, torch.Tensor]  # pixel_values, image_grid_thw / image_sizes, ...
    mm_types: torch.Tensor | None  # (L,) modality per token, for models whose generate needs it


def prepare_prefix(processor: Any, model: Any, prefix: str, pixels: np.ndarray, pin: bool) -> Prepared:
    enc = processor(images=[Image.fromarray(pixels)], text=[prefix], return_tensors="pt")
    ids = enc["input_ids"][0]
    mm_types = enc.get("mm_token_type_ids")
    rope_index = getattr(getattr(model, "model", None), "get_rope_index", None)
    if rope_index is not None and mm_types is not None:
        positions, _ = rope_index(input_ids=ids[None], mm_token_type_ids=mm_types,
                                  image_grid_thw=enc.get("image_grid_thw"))
        positions = positions[:, 0]
    else:
        positions = torch.arange(len(ids))[None]
    vision = {k: v for k, v in enc.items() if k not in SKIP_KEYS and isinstance(v, torch.Tensor)}
    if pin:
        vision = {k: v.pin_memory() for k, v in vision.items()}
    return Prepared(ids, positions, int(positions.max()) + 1, vision,
                    mm_types[0] if mm_types is not None else None)


def collate_vision(items: list[Prepared], device: torch.device, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Concatenate each image tensor along dim 0, zero-padding trailing dims that differ (e.g. patch counts)."""
    out = {}
    for key in items[0].vision:
        parts = [p.vision[key] for p in items]
        shape = [max(s) for s in zip(*(t.shape[1:] for t in parts))]
        parts = [_pad_to(t, shape) for t in parts]
        t = torch.cat(parts).to(device, non_blocking=True)
        out[key] = t.to(dtype) if t.is_floating_point() else t
    return out


def _pad_to(t: torch.Tensor, shape: list[int]) -> torch.Tensor:
    if list(t.shape[1:]) == shape:
        return t
    pad: list[int] = []
    for have, want in zip(reversed(t.shape[1:]), reversed(shape)):
        pad += [0, want - have]
    return torch.nn.functional.pad(t, pad)


@torch.inference_mode()
def rate(model: Any, items: list[Prepared], suffixes: tuple[Suffix, ...], pad_id: int) -> list[dict[str, float]]:
    """Each question's value per image: Q-Align expected level (0..100) or P(positive answer) (0..1)."""
    device = model.device
    lens = [len(s.ids) for s in suffixes]
    tail = torch.tensor([i for s in suffixes for i in s.ids], dtype=torch.long)
    seg_tail = torch.repeat_interleave(torch.arange(1, len(suffixes) + 1), torch.tensor(lens))
    width = max(len(p.ids) for p in items) + len(tail)
    k = items[0].positions.shape[0]
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    seg = torch.full((len(items), width), -1, dtype=torch.long)
    pos = torch.zeros((k, len(items), width), dtype=torch.long)
    tail_pos = torch.cat([torch.arange(n) for n in lens])
    for row, p in enumerate(items):
        start = width - len(p.ids) - len(tail)
        ids[row, start:] = torch.cat([p.ids, tail])
        seg[row, start:start + len(p.ids)] = 0
        seg[row, width - len(tail):] = seg_tail
        pos[:, row, start:start + len(p.ids)] = p.positions
        pos[:, row, width - len(tail):] = p.next_position + tail_pos
    mask = _tree_mask(seg).to(device)
    ends = torch.tensor(np.cumsum(lens) - 1 + width - len(tail), device=device)
    out = model(input_ids=ids.to(device), attention_mask=mask, position_ids=(pos[0] if k == 1 else pos).to(device),
                logits_to_keep=ends, use_cache=False, **collate_vision(items, device, model.dtype))
    logits = out.logits.float()  # (B, questions, vocab)
    values = torch.tensor(LEVEL_VALUES, device=device)
    result: list[dict[str, float]] = [{} for _ in items]
    for j, s in enumerate(suffixes):
        probs = logits[:, j, list(s.word_ids)].softmax(-1)
        col = probs[:, :s.positives].sum(-1) if s.positives else probs @ values
        for row, v in enumerate(col.tolist()):
            result[row][s.field] = v
    return result


def _tree_mask(seg: torch.Tensor) -> torch.Tensor:
    """(B, 1, T, T) bool: causal, prefix (segment 0) visible to all, each question segment private, pads masked.

    Pad queries see themselves so no attention row is empty (an empty row yields NaN that would spread).
    """
    t = seg.shape[1]
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    q, k = seg[:, :, None], seg[:, None, :]
    allowed = causal & (k >= 0) & ((k == 0) | (k == q))
    allowed |= torch.eye(t, dtype=torch.bool)
    return allowed[:, None]


@torch.inference_mode()
def generate(model: Any, processor: Any, items: list[Prepared], suffix: Suffix, max_new_tokens: int,
             pad_id: int) -> list[str]:
    """Greedy, length-capped answers to one question for each image, batched with left padding."""
    device = model.device
    tail = torch.tensor(suffix.ids, dtype=torch.long)
    width = max(len(p.ids) for p in items) + len(tail)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    attn = torch.zeros((len(items), width), dtype=torch.long)
    mm = torch.zeros((len(items), width), dtype=torch.long) if items[0].mm_types is not None else None
    for row, p in enumerate(items):
        n = len(p.ids) + len(tail)
        ids[row, width - n:] = torch.cat([p.ids, tail])
        attn[row, width - n:] = 1
        if mm is not None:
            mm[row, width - n:width - len(tail)] = p.mm_types
    extra = {"mm_token_type_ids": mm.to(device)} if mm is not None else {}
    out = model.generate(input_ids=ids.to(device), attention_mask=attn.to(device), do_sample=False, num_beams=1,
                         temperature=None, top_p=None, top_k=None, max_new_tokens=max_new_tokens,
                         pad_token_id=pad_id, **extra, **collate_vision(items, device, model.dtype))
    return [text.strip() for text in processor.tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)]
