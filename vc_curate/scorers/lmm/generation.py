"""Generated answers (critiques, numbers): continuing each image's cached prefix, so the image is encoded once.

A question whose prompt shares the image prefix continues a copy of that prefix's cache (`cached.Prefix`):
no pixels go to the model again. A whole prompt of its own (a question before the image) goes through
`generate` as it is, image included.
"""

from __future__ import annotations

from typing import Any

import torch

from vc_curate.scorers.lmm.cached import Prefix, cache_kwarg, continuation, fork, position_ids
from vc_curate.scorers.lmm.prompts import Suffix
from vc_curate.scorers.lmm.rating import Prepared, collate_vision, left_padded, to_device


@torch.inference_mode()
def generate(model: Any, processor: Any, items: list[Prepared], suffix: Suffix, max_new_tokens: int,
             pad_id: int, prefix: Prefix | None = None) -> list[str]:
    """Greedy, length-capped answers to one question for each image, batched with left padding; from
    `prefix` (the same images' cached prefixes) where given."""
    inputs, width = _inputs(model, items, suffix, pad_id, prefix, torch.arange(len(items)))
    out = model.generate(**inputs, do_sample=False, num_beams=1, temperature=None, top_p=None, top_k=None,
                         max_new_tokens=max_new_tokens, pad_token_id=pad_id)
    return [text.strip() for text in processor.tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)]


@torch.inference_mode()
def sample(model: Any, processor: Any, item: Prepared, suffix: Suffix, max_new_tokens: int, how: Any,
           pad_id: int, prefix: Prefix | None = None, row: int = 0) -> list[str]:
    """`how.samples` answers for one image with the question's sampling settings (`how`: a recipe `Number`),
    seeded from the image alone (the global random state untouched); from row `row` of `prefix` where given."""
    device = model.device
    answers = []
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(item.seed)
        for _ in range(how.samples):  # inputs rebuilt per sample: generation extends a forked cache in place
            inputs, width = _inputs(model, [item], suffix, pad_id, prefix, torch.tensor([row]))
            out = model.generate(**inputs, do_sample=True, temperature=how.temperature, top_k=how.top_k,
                                 top_p=how.top_p, max_new_tokens=max_new_tokens, pad_token_id=pad_id)
            answers += processor.tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)
    return answers


def _inputs(model: Any, items: list[Prepared], suffix: Suffix, pad_id: int, prefix: Prefix | None,
            image: torch.Tensor) -> tuple[dict[str, Any], int]:
    """`generate`'s inputs and the prompt width: the whole prompts with their images, or prefix rows `image`
    and the question after them with a fork of their cache (positions given, so M-RoPE models need no state)."""
    device = model.device
    tail = torch.tensor(suffix.ids, dtype=torch.long)
    if prefix is None:
        rows = left_padded(items, tail, pad_id)
        inputs = dict(input_ids=rows.ids.to(device), attention_mask=rows.attention.to(device),
                      **to_device(rows.per_token, device), **collate_vision(items, device, model.dtype))
        return inputs, rows.ids.shape[1]
    n = len(tail)
    ids = torch.cat([prefix.rows.ids[image], tail.expand(len(image), -1)], 1)
    attention = torch.cat([prefix.rows.attention[image], torch.ones((len(image), n), dtype=torch.long)], 1)
    positions = torch.cat([prefix.positions[:, image], prefix.next_positions[:, image, None] + torch.arange(n)], -1)
    later = continuation(prefix.rows, image, n)
    per_token = {k: torch.cat([prefix.rows.per_token[k][image], t], 1) for k, t in later.items()}
    inputs = dict(input_ids=ids.to(device), attention_mask=attention.to(device),
                  position_ids=position_ids(positions).to(device), **to_device(per_token, device),
                  **{cache_kwarg(model): fork(prefix.cache, image.to(device))})
    return inputs, ids.shape[1]
