"""The image prefix through the model once; its cache then shared by every question and every generated answer.

Each image's prefix (chat header, image tokens) runs through the model once with the model's own causal
mask. The questions of all images then run as one batch whose rows continue a copy of their image's cache:
row `i * q + j` is question `j` of image `i`. Questions are right-padded to the longest one, so pads come
after every real token and change nothing it reads (attention and linear-attention recurrences alike), and
each row's answer is read at its own last real token. Nothing here builds a custom attention mask: the
model masks through its own code path (SDPA, FlashAttention), as it does in `generate`.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Any

import torch

from vc_curate.scorers.lmm.prompts import Suffix
from vc_curate.scorers.lmm.rating import (CARRIED_KEYS, Prepared, Rows, collate_vision, left_padded,
                                          plain_positions, read_levels, to_device)


@dataclass(slots=True)
class Prefix:
    """A batch of image prefixes after one pass through the model."""

    rows: Rows  # the left-padded prefix rows (CPU)
    cache: Any  # the model's cache after them, one batch row per image (never changed: see `fork`)
    positions: torch.Tensor  # (k, B, W) the prefix rows' positions (k = 3 for M-RoPE)
    next_positions: torch.Tensor  # (k, B) where text after each prefix continues


@torch.inference_mode()
def encode_prefix(model: Any, items: list[Prepared], pad_id: int) -> Prefix:
    """Run the images and their prefix through `model` once, keeping the cache."""
    device = model.device
    rows = left_padded(items, torch.empty(0, dtype=torch.long), pad_id)
    out = model(input_ids=rows.ids.to(device), attention_mask=rows.attention.to(device), logits_to_keep=1,
                use_cache=True, **plain_positions(items, rows, device), **to_device(rows.per_token, device),
                **collate_vision(items, device, model.dtype))
    k = items[0].positions.shape[0]
    width = rows.ids.shape[1]
    positions = torch.zeros((k, len(items), width), dtype=torch.long)
    if k == 1:  # counted from each row's first real token, as `plain_positions` gives the model
        positions[0] = (rows.attention.cumsum(-1) - 1).clamp(min=0)
        next_positions = torch.tensor([[len(p.ids) for p in items]])
    else:
        for row, p in enumerate(items):
            positions[:, row, rows.starts[row]:] = p.positions
        next_positions = torch.tensor([[p.next_position for p in items]]).expand(k, -1)
    return Prefix(rows, _cache_of(out), positions, next_positions)


def fork(cache: Any, rows: torch.Tensor) -> Any:
    """A new cache holding batch rows `rows` of `cache` (repeats allowed); `cache` is left as it was.

    The library's own beam reordering (`reorder_cache`, an `index_select` that rebinds each state) applied to
    shallow copies of the layers, so every layer kind the library knows (full, sliding-window, linear
    attention, cross-attention) is copied as it stores itself, and nothing is copied twice.
    """
    new = copy.copy(cache)
    new.layers = [copy.copy(layer) for layer in cache.layers]
    for layer in new.layers:
        for name, value in vars(layer).items():
            if isinstance(value, dict):  # per-state tables (linear attention): rebound entries must not leak back
                setattr(layer, name, dict(value))
    new.reorder_cache(rows)
    return new


@torch.inference_mode()
def rate_cached(model: Any, items: list[Prepared], suffixes: tuple[Suffix, ...], pad_id: int,
                prefix: Prefix | None = None) -> list[dict[str, float]]:
    """Every question's value per image: the prefix once (or `prefix`, already encoded), then all questions of
    all images as one batch continuing its cache."""
    device = model.device
    prefix = prefix or encode_prefix(model, items, pad_id)
    b, q = len(items), len(suffixes)
    lens = torch.tensor([len(s.ids) for s in suffixes])
    n = int(lens.max())
    tails = torch.full((q, n), pad_id, dtype=torch.long)
    for j, s in enumerate(suffixes):
        tails[j, :len(s.ids)] = torch.tensor(s.ids, dtype=torch.long)
    real = (torch.arange(n)[None] < lens[:, None]).long()
    image = torch.arange(b).repeat_interleave(q)  # row i * q + j: image i, question j
    attention = torch.cat([prefix.rows.attention[image], real.repeat(b, 1)], 1)
    positions = prefix.next_positions[:, image, None] + torch.arange(n)
    ends, column = torch.unique(lens - 1, return_inverse=True)  # logits only where some question ends
    out = model(input_ids=tails.repeat(b, 1).to(device), attention_mask=attention.to(device),
                position_ids=position_ids(positions).to(device), use_cache=True, logits_to_keep=ends.to(device),
                **{cache_kwarg(model): fork(prefix.cache, image.to(device))},
                **to_device(continuation(prefix.rows, image, n), device))
    logits = out.logits[torch.arange(b * q, device=device), column.repeat(b).to(device)]
    return read_levels(logits.float().view(b, q, -1), suffixes, b)


def continuation(rows: Rows, image: torch.Tensor, n: int) -> dict[str, torch.Tensor]:
    """Per-token inputs for `n` text tokens after the prefix rows `image`: Mllama's cross-attention mask
    carries on from the prefix's last token. Token types are left out: text after the prefix attends
    causally, and without them Gemma 3 builds its ordinary mask instead of an image-block one."""
    return {key: t[image][:, -1:].expand(-1, n, *t.shape[2:]) for key, t in rows.per_token.items()
            if key in CARRIED_KEYS}


def position_ids(positions: torch.Tensor) -> torch.Tensor:
    """(k, B, T) positions as the model takes them: (B, T) unless M-RoPE."""
    return positions[0] if positions.shape[0] == 1 else positions


def cache_kwarg(model: Any) -> str:
    """What this transformers release calls the cache argument (`past_key_values` before 5.x's `cache`)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _cache_of(out: Any) -> Any:
    cache = getattr(out, "cache", None)
    return cache if cache is not None else out.past_key_values
