"""Training sequences: a chat turn (images, question, answer) rendered through the model's chat template by the
`lmm` scorer's own `render`, tokenised as the scorer tokenises its prompts, and batched with prompt ends aligned.

Each row is `[pad…] prompt answer [pad…]`: prompts are left-padded so every prompt ends at the same column,
which lets one `logits_to_keep` range cover the answer positions of all rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import torch
from PIL import Image

from vc_curate.decode import DecodeOptions, decode_bytes
from vc_curate.inputs import read_uri_bytes
from vc_curate.scorers.lmm.prompts import render, starts_with_bos
from vc_curate.scorers.lmm.rating import CARRIED_KEYS, PER_TOKEN_KEYS, SKIP_KEYS, cat_padded

IGNORE = -100


@dataclass(frozen=True, slots=True)
class Turn:
    """One question about one or more images and what the model should answer."""

    images: tuple[int, ...]  # rows of the label set, in the order the prompt shows them
    question: str
    stem: str = ""  # the start of the answer, given as part of the prompt (the recipe's answer stem)
    answer: str = ""  # trained token by token, followed by the end-of-turn token; "" for none
    choices: tuple[int, ...] = ()  # token ids whose probabilities are read at the answer's first position
    target: tuple[float, ...] = ()  # soft target over `choices`; empty: the choices are only read


@dataclass(slots=True)
class Encoded:
    ids: torch.Tensor  # prompt, image placeholders expanded
    answer: list[int]
    vision: dict[str, torch.Tensor]
    per_token: dict[str, torch.Tensor]  # the scorer's PER_TOKEN_KEYS the processor returned, prompt only


@dataclass(slots=True)
class Batch:
    inputs: dict[str, torch.Tensor]  # keyword arguments of the model's forward
    labels: torch.Tensor  # (B, K): answer token ids at the kept positions, IGNORE elsewhere


class ImageCache:
    """Decoded images of a label set, at the long side the scorer decodes at, the recently used kept."""

    def __init__(self, uris: list[str], long_side: int, size: int = 256):
        self.uris = uris
        self.options = DecodeOptions(long_side=long_side)
        self.get = lru_cache(maxsize=size)(self._load)

    def _load(self, row: int) -> Image.Image:
        return Image.fromarray(decode_bytes(read_uri_bytes(self.uris[row]), self.options).pixels)


def continuation_ids(tokenizer: Any, context: str, text: str) -> list[int]:
    """Token ids of `text` written right after `context` (space-separated unless it ends in whitespace)."""
    base = tokenizer(context, add_special_tokens=False)["input_ids"]
    sep = "" if not context or context[-1].isspace() else " "
    full = tokenizer(context + sep + text, add_special_tokens=False)["input_ids"]
    if full[:len(base)] != base:
        raise ValueError(f"the answer {text[:40]!r} merges with the prompt's last token for this tokenizer; "
                         "change the recipe's answer stem")
    return full[len(base):]


class Encoder:
    """Turns into model inputs for one processor; answers longer than `max_answer_tokens` are cut."""

    def __init__(self, processor: Any, system: str | None, images: ImageCache, max_answer_tokens: int = 160,
                 template_options: tuple[tuple[str, object], ...] = ()):
        self.processor = processor
        self.template_options = template_options
        self.tokenizer = processor.tokenizer
        self.system = system
        self.images = images
        self.max_answer_tokens = max_answer_tokens
        tok = self.tokenizer
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        self.end_id = tok.eos_token_id

    def encode(self, turn: Turn) -> Encoded:
        prompt = render(self.processor, turn.question, system=self.system, images=len(turn.images), stem=turn.stem,
                        options=self.template_options)
        enc = self.processor(images=[self.images.get(i) for i in turn.images], text=[prompt], return_tensors="pt",
                             add_special_tokens=not starts_with_bos(self.tokenizer, prompt))
        answer = []
        if turn.answer:
            answer = continuation_ids(self.tokenizer, prompt, turn.answer)[:self.max_answer_tokens] + [self.end_id]
        per_token = {k: enc[k][0] for k in PER_TOKEN_KEYS if isinstance(enc.get(k), torch.Tensor)}
        vision = {k: v for k, v in enc.items() if k not in SKIP_KEYS and isinstance(v, torch.Tensor)}
        return Encoded(enc["input_ids"][0], answer, vision, per_token)


def collate(rows: list[Encoded], pad_id: int, rope_index: bool) -> Batch:
    """Left-padded prompts, right-padded answers, per-token inputs laid out as the scorer lays them out.
    Models with their own (multimodal) position scheme (`rope_index`) compute positions from the mask and
    modality types; others get positions."""
    width_prompt = max(len(r.ids) for r in rows)
    width_answer = max(1, max(len(r.answer) for r in rows))
    width = width_prompt + width_answer
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width_answer), IGNORE, dtype=torch.long)
    per_token = {k: t.new_zeros((len(rows), width) + t.shape[1:]) for k, t in rows[0].per_token.items()}
    for i, r in enumerate(rows):
        start = width_prompt - len(r.ids)
        ids[i, start:width_prompt] = r.ids
        ids[i, width_prompt:width_prompt + len(r.answer)] = torch.tensor(r.answer, dtype=torch.long)
        mask[i, start:width_prompt + len(r.answer)] = 1
        labels[i, :len(r.answer)] = torch.tensor(r.answer, dtype=torch.long)
        for key, t in r.per_token.items():
            per_token[key][i, start:width_prompt] = t
            if key in CARRIED_KEYS:  # the answer sees what the prompt's last token sees
                per_token[key][i, width_prompt:] = t[-1]
    inputs: dict[str, torch.Tensor] = {"input_ids": ids, "attention_mask": mask, **per_token}
    if not (rope_index and "mm_token_type_ids" in per_token):
        inputs["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0)
    for key in rows[0].vision:
        inputs[key] = cat_padded([r.vision[key] for r in rows])
    # position p predicts token p + 1: the prompt's last position predicts the answer's first token
    inputs["logits_to_keep"] = torch.arange(width_prompt - 1, width_prompt - 1 + width_answer)
    return Batch(inputs, labels)


def forward_logits(model: Any, batch: Batch) -> torch.Tensor:
    """(B, K, vocab) float32 logits at the kept positions (the answer's)."""
    device = model.device
    inputs = {}
    for key, value in batch.inputs.items():
        value = value.to(device)
        inputs[key] = value.to(model.dtype) if value.is_floating_point() else value
    return model(**inputs, use_cache=False).logits.float()
