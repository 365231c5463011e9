"""Q-Align ratings: packed (each image's prefix once, every question after it) or one plain pass per question.

Packed, a record's sequence is `[pad…] prefix q1 q2 … qn`; a 4-D mask (built on the model's device) lets
each question's tokens see the prefix and themselves only, positions restart after the prefix for each
question, and tokens the model lets attend both ways (Gemma 3's image tokens) still do, so every question
reads the logits it would read alone while the image is encoded and attended to once. Plain, each question
is its own left-padded forward through the model's own masking: the reference the other passes are checked
against at load. The cached pass (`cached.py`) needs no custom mask at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image

from vc_curate.scorers.lmm.prompts import LEVEL_VALUES, Suffix

# Per-token inputs besides the ids: modality types (M-RoPE, Gemma 3's image blocks; text after the prefix
# is type 0) and Mllama's cross-attention mask (text after the prefix sees the images its last token sees).
PER_TOKEN_KEYS = ("mm_token_type_ids", "token_type_ids", "cross_attention_mask")
CARRIED_KEYS = ("cross_attention_mask",)
SKIP_KEYS = ("input_ids", "attention_mask", "labels") + PER_TOKEN_KEYS  # labels: PaliGemma returns training labels


@dataclass(slots=True)
class Prepared:
    """One image's prefix, made in a decode worker: token ids with the image expanded, positions, pixels."""

    ids: torch.Tensor  # (L,) long
    positions: torch.Tensor  # (k, L): k = 1, or 3 for M-RoPE models (temporal, height, width)
    next_position: int  # where text after the prefix continues
    vision: dict[str, torch.Tensor]  # pixel_values, image_grid_thw / image_sizes, ...
    per_token: dict[str, torch.Tensor]  # PER_TOKEN_KEYS the processor returned, (L, ...) each
    seed: int  # from the decoded pixels' sha256: sampled answers repeat whatever the batch or run
    alone: dict[str, Prepared] = field(default_factory=dict)  # whole prompts of text-first questions, by field


def prepare_prefix(processor: Any, model: Any, prefix: str, pixels: np.ndarray, pin: bool,
                   special: bool = True) -> Prepared:
    """`special`: let the tokenizer add its special tokens (False where the template already wrote BOS)."""
    enc = processor(images=[Image.fromarray(pixels)], text=[prefix], add_special_tokens=special,
                    return_tensors="pt")
    ids = enc["input_ids"][0]
    per_token = {k: enc[k][0] for k in PER_TOKEN_KEYS if isinstance(enc.get(k), torch.Tensor)}
    rope_index = getattr(getattr(model, "model", None), "get_rope_index", None)
    mm_types = enc.get("mm_token_type_ids")
    if rope_index is not None and mm_types is not None and enc.get("image_grid_thw") is not None:
        positions, _ = rope_index(input_ids=ids[None], mm_token_type_ids=mm_types,
                                  image_grid_thw=enc.get("image_grid_thw"))
        positions = positions[:, 0]
    else:
        positions = torch.arange(len(ids))[None]
    vision = {k: v for k, v in enc.items() if k not in SKIP_KEYS and isinstance(v, torch.Tensor)}
    if pin:
        vision = {k: v.pin_memory() for k, v in vision.items()}
    seed = int.from_bytes(hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).digest()[:8], "little")
    return Prepared(ids, positions, int(positions.max()) + 1, vision, per_token, seed)


def collate_vision(items: list[Prepared], device: torch.device, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Each image tensor of the batch, concatenated (see `cat_padded`), on `device` in `dtype`."""
    out = {}
    for key in items[0].vision:
        t = cat_padded([p.vision[key] for p in items]).to(device, non_blocking=True)
        out[key] = t.to(dtype) if t.is_floating_point() else t
    return out


def cat_padded(parts: list[torch.Tensor]) -> torch.Tensor:
    """Concatenate along dim 0, zero-padding trailing dims that differ (e.g. patches or tiles per image)."""
    shape = [max(s) for s in zip(*(t.shape[1:] for t in parts))]
    padded = []
    for t in parts:
        pad: list[int] = []
        for have, want in zip(reversed(t.shape[1:]), reversed(shape)):
            pad += [0, want - have]
        padded.append(torch.nn.functional.pad(t, pad) if any(pad) else t)
    return torch.cat(padded)


@dataclass(slots=True)
class Rows:
    """A batch of `[pad…] prefix tail` rows, left-padded, with the per-token inputs laid out the same way."""

    ids: torch.Tensor  # (B, W)
    attention: torch.Tensor  # (B, W) 1 on real tokens
    per_token: dict[str, torch.Tensor]  # (B, W, ...)
    starts: list[int]  # where each row's prefix starts
    tail: int  # tail length, the same for every row


def left_padded(items: list[Prepared], tail: torch.Tensor, pad_id: int) -> Rows:
    width = max(len(p.ids) for p in items) + len(tail)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    per_token = {k: t.new_zeros((len(items), width) + t.shape[1:]) for k, t in items[0].per_token.items()}
    starts = []
    for row, p in enumerate(items):
        start = width - len(p.ids) - len(tail)
        starts.append(start)
        ids[row, start:] = torch.cat([p.ids, tail])
        attention[row, start:] = 1
        for key, t in p.per_token.items():
            per_token[key][row, start:width - len(tail)] = t
            if key in CARRIED_KEYS:
                per_token[key][row, width - len(tail):] = t[-1]
    return Rows(ids, attention, per_token, starts, len(tail))


@torch.inference_mode()
def rate(model: Any, items: list[Prepared], suffixes: tuple[Suffix, ...], pad_id: int) -> list[dict[str, float]]:
    """Every question's value per image from one packed forward pass."""
    device = model.device
    lens = [len(s.ids) for s in suffixes]
    rows = left_padded(items, torch.tensor([i for s in suffixes for i in s.ids], dtype=torch.long), pad_id)
    width = rows.ids.shape[1]
    k = items[0].positions.shape[0]
    prefix_lens = torch.tensor([len(p.ids) for p in items])
    pos = torch.zeros((k, len(items), width), dtype=torch.long)
    tail_pos = torch.cat([torch.arange(n) for n in lens])
    for row, p in enumerate(items):
        pos[:, row, rows.starts[row]:width - rows.tail] = p.positions
        pos[:, row, width - rows.tail:] = p.next_position + tail_pos
    mask = packed_mask(model, prefix_lens.to(device), torch.tensor(lens, device=device), width,
                       rows.per_token.get("token_type_ids"))
    ends = torch.tensor(np.cumsum(lens) - 1 + width - rows.tail, device=device)
    out = model(input_ids=rows.ids.to(device), attention_mask=mask,
                position_ids=(pos[0] if k == 1 else pos).to(device), logits_to_keep=ends, use_cache=False,
                **to_device(rows.per_token, device), **collate_vision(items, device, model.dtype))
    return read_levels(out.logits.float(), suffixes, len(items))


@torch.inference_mode()
def rate_plain(model: Any, items: list[Prepared], suffixes: tuple[Suffix, ...], pad_id: int,
               ) -> list[dict[str, float]]:
    """Every question's value per image, one ordinary forward pass per question (the model masks itself)."""
    device = model.device
    result: list[dict[str, float]] = [{} for _ in items]
    vision = collate_vision(items, device, model.dtype)
    for s in suffixes:
        rows = left_padded(items, torch.tensor(s.ids, dtype=torch.long), pad_id)
        out = model(input_ids=rows.ids.to(device), attention_mask=rows.attention.to(device), logits_to_keep=1,
                    use_cache=False, **plain_positions(items, rows, device), **to_device(rows.per_token, device),
                    **vision)
        for row, values in enumerate(read_levels(out.logits.float(), (s,), len(items))):
            result[row].update(values)
    return result


def plain_positions(items: list[Prepared], rows: Rows, device: torch.device) -> dict[str, torch.Tensor]:
    """1-D positions counted from each row's first real token; M-RoPE models compute their own from the mask."""
    if items[0].positions.shape[0] != 1:
        return {}
    return {"position_ids": (rows.attention.cumsum(-1) - 1).clamp(min=0).to(device)}


def to_device(tensors: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    return {k: v.to(device) for k, v in tensors.items()}


def read_levels(logits: torch.Tensor, suffixes: tuple[Suffix, ...], n: int) -> list[dict[str, float]]:
    """(B, questions, vocab) logits to Q-Align expected levels (0..100) or P(positive answer) (0..1)."""
    values = torch.tensor(LEVEL_VALUES, device=logits.device)
    result: list[dict[str, float]] = [{} for _ in range(n)]
    for j, s in enumerate(suffixes):
        probs = logits[:, j, list(s.word_ids)].softmax(-1)
        col = probs[:, :s.positives].sum(-1) if s.positives else probs @ values
        for row, v in enumerate(col.tolist()):
            result[row][s.field] = v
    return result


def packed_mask(model: Any, prefix_lens: torch.Tensor, lens: torch.Tensor, width: int,
                token_types: torch.Tensor | None) -> torch.Tensor | dict[str, torch.Tensor]:
    """The packed pass's mask for `model`: the tree mask, plus a sliding-window copy where layers slide."""
    device = prefix_lens.device
    seg = segments(prefix_lens, lens, width)
    blocks = image_blocks(token_types.to(device)) if token_types is not None else None
    mask = tree_mask(seg, blocks)
    text = model.config.get_text_config()
    window = getattr(text, "sliding_window", None)
    if window and "sliding_attention" in (getattr(text, "layer_types", None) or ()):
        index = plain_index(prefix_lens, lens, width)
        near = index[:, None, :, None] - index[:, None, None, :] < window
        return {"full_attention": mask, "sliding_attention": mask & (near | _eye(width, device))}
    return mask


def segments(prefix_lens: torch.Tensor, lens: torch.Tensor, width: int) -> torch.Tensor:
    """(B, W): -1 on pads, 0 on each row's prefix, j on question j's tokens (questions fill the last columns)."""
    col = torch.arange(width, device=prefix_lens.device)
    tail_start = width - int(lens.sum())
    question = torch.bucketize(col - tail_start, lens.cumsum(0), right=True) + 1
    seg = torch.where(col >= tail_start, question, torch.zeros_like(col))[None].repeat(len(prefix_lens), 1)
    return seg.masked_fill(col[None] < tail_start - prefix_lens[:, None], -1)


def plain_index(prefix_lens: torch.Tensor, lens: torch.Tensor, width: int) -> torch.Tensor:
    """(B, W): each token's index in its own plain sequence (prefix then its question), as plain masks count."""
    col = torch.arange(width, device=prefix_lens.device)
    tail_start = width - int(lens.sum())
    starts = lens.cumsum(0) - lens
    question = torch.bucketize(col - tail_start, lens.cumsum(0), right=True).clamp(max=len(lens) - 1)
    in_tail = col - tail_start - starts[question]
    index = torch.where(col >= tail_start, prefix_lens[:, None] + in_tail[None],
                        col[None] - (tail_start - prefix_lens[:, None]))
    return index


def image_blocks(token_types: torch.Tensor) -> torch.Tensor:
    """(B, W): an id per run of image tokens (type 1), which attend to each other both ways; -1 elsewhere."""
    image = token_types == 1
    starts = image & ~torch.nn.functional.pad(image, (1, 0))[:, :-1]
    return torch.where(image, starts.long().cumsum(-1), torch.full_like(token_types, -1))


def tree_mask(seg: torch.Tensor, blocks: torch.Tensor | None = None) -> torch.Tensor:
    """(B, 1, T, T) bool: causal, prefix (segment 0) visible to all, each question segment private, pads masked;
    tokens of one image block see each other both ways.

    Pad queries see themselves so no attention row is empty (an empty row yields NaN that would spread).
    """
    t = seg.shape[1]
    col = torch.arange(t, device=seg.device)
    causal = col[:, None] >= col[None, :]
    q, k = seg[:, :, None], seg[:, None, :]
    allowed = causal & (k >= 0) & ((k == 0) | (k == q))
    if blocks is not None:
        allowed |= (blocks[:, :, None] == blocks[:, None, :]) & (blocks[:, :, None] >= 0)
    allowed |= _eye(t, seg.device)
    return allowed[:, None]


def _eye(t: int, device: torch.device) -> torch.Tensor:
    return torch.eye(t, dtype=torch.bool, device=device)
