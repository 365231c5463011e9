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

IGNORE = -100
SKIP_KEYS = ("input_ids", "attention_mask", "mm_token_type_ids", "token_type_ids")


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
    mm_types: torch.Tensor | None


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
        mm = enc.get("mm_token_type_ids")
        vision = {k: v for k, v in enc.items() if k not in SKIP_KEYS and isinstance(v, torch.Tensor)}
        return Encoded(enc["input_ids"][0], answer, vision, mm[0] if mm is not None else None)


def collate(rows: list[Encoded], pad_id: int, rope_index: bool) -> Batch:
    """Left-padded prompts, right-padded answers. Models with their own (multimodal) position scheme
    (`rope_index`) get the modality types and compute positions from the mask; others get positions."""
    width_prompt = max(len(r.ids) for r in rows)
    width_answer = max(1, max(len(r.answer) for r in rows))
    width = width_prompt + width_answer
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width_answer), IGNORE, dtype=torch.long)
    mm = torch.zeros((len(rows), width), dtype=torch.long) if rows[0].mm_types is not None else None
    for i, r in enumerate(rows):
        start = width_prompt - len(r.ids)
        ids[i, start:width_prompt] = r.ids
        ids[i, width_prompt:width_prompt + len(r.answer)] = torch.tensor(r.answer, dtype=torch.long)
        mask[i, start:width_prompt + len(r.answer)] = 1
        labels[i, :len(r.answer)] = torch.tensor(r.answer, dtype=torch.long)
        if mm is not None:
            mm[i, start:width_prompt] = r.mm_types
    inputs: dict[str, torch.Tensor] = {"input_ids": ids, "attention_mask": mask}
    if rope_index and mm is not None:
        inputs["mm_token_type_ids"] = mm
    else:
        inputs["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0)
    for key in rows[0].vision:
        inputs[key] = _cat_padded([r.vision[key] for r in rows])
    # position p predicts token p + 1: the prompt's last position predicts the answer's first token
    inputs["logits_to_keep"] = torch.arange(width_prompt - 1, width_prompt - 1 + width_answer)
    return Batch(inputs, labels)


def _cat_padded(parts: list[torch.Tensor]) -> torch.Tensor:
    """Concatenate along dim 0, zero-padding trailing dims that differ (e.g. tiles per image)."""
    shape = [max(s) for s in zip(*(t.shape[1:] for t in parts))]
    padded = []
    for t in parts:
        pad: list[int] = []
        for have, want in zip(reversed(t.shape[1:]), reversed(shape)):
            pad += [0, want - have]
        padded.append(torch.nn.functional.pad(t, pad) if any(pad) else t)
    return torch.cat(padded)


def forward_logits(model: Any, batch: Batch) -> torch.Tensor:
    """(B, K, vocab) float32 logits at the kept positions (the answer's)."""
    device = model.device
    inputs = {}
    for key, value in batch.inputs.items():
        value = value.to(device)
        inputs[key] = value.to(model.dtype) if value.is_floating_point() else value
    return model(**inputs, use_cache=False).logits.float()
