"""`lmm`: VisualCritic-style scoring with an instruction-following multimodal model from transformers."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vc_curate import __version__
from vc_curate.decode import DecodedImage, DecodeOptions
from vc_curate.fields import ATTRIBUTES
from vc_curate.options import REQUIRED, ScorerOptions, option
from vc_curate.scorer import Scorer, Scores
from vc_curate.scorers.lmm.batching import Backoff, buckets
from vc_curate.scorers.lmm.critique import compose_critique
from vc_curate.scorers.lmm.budget import set_pixel_budget
from vc_curate.scorers.lmm.cached import encode_prefix, rate_cached
from vc_curate.scorers.lmm.generation import generate, sample
from vc_curate.scorers.lmm.loading import load, resolve_dtype
from vc_curate.scorers.lmm.packing import choose_pass
from vc_curate.scorers.lmm.prompts import plan_prompts, use_recipe_template
from vc_curate.scorers.lmm.rating import Prepared, prepare_prefix, rate_plain
from vc_curate.scorers.lmm.recipes import DEFAULT_RECIPE, Number, parse_number, recipe_for

FALLBACK_LONG_SIDE = 1024


@dataclass(frozen=True, kw_only=True)
class LMMOptions(ScorerOptions):
    model: str = option(REQUIRED, "Hugging Face model id or local folder")
    revision: str | None = option(None, "model revision (branch, tag or commit)")
    adapter: str | None = option(None, "LoRA adapter folder (from `vc-curate train`)")
    dtype: str = option("auto", "weights' dtype", choices=("auto", "bfloat16", "float16", "float32"))
    critique: bool = option(False, "generate critiques (slower)")
    trust_remote_code: bool = option(False, "run the model repository's own code")
    recipe: str | None = option(None, "prompt recipe: a name (default visualcritic) or a JSON file (docs/lmm.md)")
    image_min_pixels: int | None = option(None, "fewest pixels a dynamic-resolution processor (Qwen-VL family) "
                                          "resizes an image to; default: the recipe's, else the model's",
                                          minimum=1)
    image_max_pixels: int | None = option(None, "most pixels a dynamic-resolution processor (Qwen-VL family) "
                                          "resizes an image to (fewer visual tokens, faster); default: the "
                                          "recipe's, else the model's", minimum=1)


class LMMScorer(Scorer):
    name = "lmm"
    Options = LMMOptions
    fills = ("quality", *ATTRIBUTES, "ai_generated", "critique")
    default_batch_size = 16

    def __init__(self, **options):
        super().__init__(**options)
        opts = self.options
        self.model_name = opts.model
        self.adapter = opts.adapter
        self.critique = opts.critique
        loaded = load(opts.model, revision=opts.revision, adapter=opts.adapter,
                      dtype=resolve_dtype(opts.dtype, self.device), device=self.device,
                      trust_remote_code=opts.trust_remote_code)
        self.model, self.processor, self.revision = loaded.model, loaded.processor, loaded.revision
        self.recipe = recipe_for(loaded.model_type, opts.recipe)
        use_recipe_template(self.processor, self.recipe)
        self.fills = (*(r.field for r in self.recipe.ratings), "ai_generated", "critique")  # what this recipe rates
        set_pixel_budget(self.processor.image_processor, opts.image_min_pixels, opts.image_max_pixels, self.recipe)
        self.plan = plan_prompts(self.recipe, self.processor)
        tokenizer = self.processor.tokenizer
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.backoff = Backoff()
        model = Path(opts.model).name if Path(opts.model).expanduser().is_dir() else opts.model
        adapter = f"+{Path(opts.adapter).name}" if opts.adapter else ""
        recipe = "" if self.recipe.name == DEFAULT_RECIPE else f" recipe={self.recipe.name}"
        self._version = f"lmm/{__version__} {model}@{self.revision}{adapter}{recipe}"  # once, not per record
        generates = self.critique or any(not s.whole for s in self.plan.numbers)  # answers from the image prefix
        self.rate, reason = choose_pass(self.model, self.processor, self.plan, self.pad_id, loaded.model_type,
                                        prefer_cached=self.device.type != "cpu" or generates)
        if reason:
            slower = " with one forward pass per question (slower)" if self.rate is rate_plain else ""
            warnings.warn(f"lmm: {opts.model} is scored{slower}: {reason}", stacklevel=2)

    @property
    def version(self) -> str:
        return self._version

    def decode_options(self) -> DecodeOptions:
        return DecodeOptions(long_side=processor_long_side(self.processor.image_processor),
                             max_pixels=self.max_pixels)

    def prepare(self, image: DecodedImage) -> Prepared:
        pin = self.device.type == "cuda"
        prepared = prepare_prefix(self.processor, self.model, self.plan.prefix, image.pixels, pin=pin,
                                  special=self.plan.special)
        for s in self.plan.numbers:
            if s.whole:
                prepared.alone[s.field] = prepare_prefix(self.processor, self.model, s.text, image.pixels, pin=pin,
                                                         special=self.plan.special)
        return prepared

    def score_batch(self, batch: list[Prepared]) -> list[Scores]:
        results: list[dict[str, Any]] = [{} for _ in batch]
        for group in buckets([len(p.ids) for p in batch], max_rows=len(batch)):
            items = [batch[i] for i in group]
            for i, values in zip(group, self.backoff.run(items, self._score_group)):
                results[i] = values
        out = []
        for values in results:
            ai = values.pop("ai_generated")
            notes = values.pop("notes")
            text = values.pop("critique", None) or compose_critique(values)
            out.append(Scores(critique=text, ai_generated=ai, evidence=f"lmm:{ai:.2f}", notes=notes, **values))
        return out

    def _score_group(self, items: list[Prepared]) -> list[dict[str, Any]]:
        # The prefix cache serves the ratings and every answer generated after the image; only where the cached
        # pass is exact (the probe at load), else answers are generated from the whole prompt, image included.
        prefix = encode_prefix(self.model, items, self.pad_id) if self.rate is rate_cached else None
        if prefix is not None:
            values = rate_cached(self.model, items, self.plan.levels, self.pad_id, prefix=prefix)
        else:
            values = self.rate(self.model, items, self.plan.levels, self.pad_id)
        for v in values:
            v["notes"] = []
        for suffix in self.plan.numbers:
            question = suffix.question
            asked = [p.alone[suffix.field] for p in items] if suffix.whole else items
            after = None if suffix.whole else prefix  # a whole prompt has its own image prefix
            if question.samples:
                answers = [sample(self.model, self.processor, item, suffix, self.recipe.number_tokens, question,
                                  self.pad_id, prefix=after, row=row)
                           for row, item in enumerate(asked)]
            else:
                answers = [[a] for a in generate(self.model, self.processor, asked, suffix, self.recipe.number_tokens,
                                                 self.pad_id, prefix=after)]
            for v, texts in zip(values, answers):
                v[suffix.field] = _mean_rating(texts, question, v["notes"])
        if self.critique:
            texts = generate(self.model, self.processor, items, self.plan.critique, self.recipe.critique_tokens,
                             self.pad_id, prefix=prefix)
            for v, text in zip(values, texts):
                v["critique"] = text
        return values


def _mean_rating(answers: list[str], question: Number, notes: list[str]) -> float | None:
    """The mean of the answers' ratings; None with a note when no answer gives one (the record stands)."""
    ratings, reason = [], ""
    for answer in answers:
        try:
            ratings.append(parse_number(answer, question))
        except ValueError as exc:
            reason = str(exc)
    if not ratings:
        notes.append(f"{question.field}: {reason}")
        return None
    return sum(ratings) / len(ratings)


def processor_long_side(image_processor: Any) -> int:
    """The long side to decode at so the processor gets at least the pixels it uses (never more than ~2x)."""
    size = getattr(image_processor, "size", None) or {}
    if isinstance(size, int):
        size = {"shortest_edge": size}
    elif not isinstance(size, dict):  # transformers' SizeDict
        size = {k: getattr(size, k) for k in ("shortest_edge", "longest_edge", "height", "width")
                if getattr(size, k, None)}
    pinpoints = getattr(image_processor, "image_grid_pinpoints", None)
    max_pixels = getattr(image_processor, "max_pixels", None)
    if pinpoints:  # LLaVA-NeXT style tiling: the largest grid it can choose
        return int(max(max(p) for p in pinpoints))
    if getattr(image_processor, "merge_size", None) and "longest_edge" in size:
        max_pixels = size["longest_edge"]  # Qwen2-VL family in transformers 5: a pixel budget, not a side
    if max_pixels:  # dynamic resolution up to max_pixels at any aspect ratio (up to 4:1 at full detail)
        return int(math.ceil(2 * math.sqrt(max_pixels)))
    if "shortest_edge" in size:  # resize the short side then centre-crop: allow a 2:1 aspect ratio
        return int(2 * size["shortest_edge"])
    if "height" in size and "width" in size:
        return int(2 * max(size["height"], size["width"]))
    if "longest_edge" in size:
        return int(size["longest_edge"])
    return FALLBACK_LONG_SIDE
