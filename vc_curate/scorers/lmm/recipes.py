"""Recipes: the questions, answer stems and level words the `lmm` scorer asks a model, as plain data.

A recipe is chosen per model family (`recipe_for`), by name (`--recipe`-style option `recipe="name"`), or
read from a JSON file with the same fields, so a fine-tuned critic's own prompts need no code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from vc_curate.fields import ATTRIBUTES, SCORES

QUALITY_WORDS = ("excellent", "good", "fair", "poor", "bad")
# Amounts, most first. Every first token differs, so no word's probability leaks into another's
# (no "very high"/"very low" pair sharing "very").
AMOUNT_WORDS = ("extreme", "high", "moderate", "low", "minimal")

_ATTRIBUTE_NOUNS = {
    "brightness": "brightness",
    "colorfulness": "colorfulness",
    "contrast": "contrast",
    "sharpness": "sharpness",
    "noisiness": "amount of noise",
}


@dataclass(frozen=True, slots=True)
class Levels:
    """A question answered with one of five level words, best or most first (Q-Align scoring).

    `words_alone`: each word's token is its first token tokenized on its own, after a stem that ends in a
    space (Q-SiT's rule), rather than the token the tokenizer writes for it right after the stem.
    """

    field: str
    question: str
    stem: str
    words: tuple[str, ...]
    words_alone: bool = False


@dataclass(frozen=True, slots=True)
class Number:
    """A question answered with a number on [low, high], generated and parsed, mapped to 0..100.

    `tag`: the number is read from the last `<tag>…</tag>` of the answer (after any reasoning); `json_key`:
    from that key of a JSON answer. `samples` > 0: that many answers are sampled (seeded from the image, so
    reruns and batch sizes agree) with `temperature`, `top_k`, `top_p` and averaged; 0: one greedy answer.
    `text_first`: the question comes before the image, so it is asked as a whole prompt of its own.
    """

    field: str
    question: str
    stem: str
    low: float
    high: float
    tag: str | None = None
    json_key: str | None = None
    samples: int = 0
    temperature: float = 1.0
    top_k: int = 50
    top_p: float = 1.0
    text_first: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """A yes/no question; `positive` and `negative` are the word variants whose probabilities are summed."""

    question: str
    stem: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Recipe:
    name: str
    ratings: tuple[Levels | Number, ...]  # quality and the five attributes
    authenticity: Choice
    critique: str
    system: str | None = None
    critique_tokens: int = 96  # cap on generated critique length
    number_tokens: int = 8  # cap on a generated numeric answer
    families: tuple[str, ...] = field(default=())  # model_type values this recipe is the default for
    template_options: tuple[tuple[str, object], ...] = ()  # chat-template keywords, e.g. ("add_vision_id", True)
    min_pixels: int | None = None  # pixel budget per image for dynamic-resolution processors (None: the model's)
    max_pixels: int | None = None
    chat_template: str | None = None  # Jinja chat template for models that ship none (PaliGemma)

    def __post_init__(self) -> None:
        fields = [r.field for r in self.ratings]
        if "quality" not in fields or not set(fields) <= set(SCORES) or len(set(fields)) < len(fields):
            raise ValueError(f"recipe {self.name!r} must rate quality and, once each, any of {', '.join(ATTRIBUTES)};"
                             f" it rates {', '.join(fields)}")
        for r in self.ratings:
            if isinstance(r, Levels) and len(r.words) != 5:
                raise ValueError(f"recipe {self.name!r}: {r.field} needs five level words, got {len(r.words)}")


def _levels() -> tuple[Levels, ...]:
    quality = Levels("quality", "How would you rate the overall visual quality of this image?",
                     "The quality of this image is", QUALITY_WORDS)
    attributes = tuple(
        Levels(a, f"How would you rate the {noun} of this image?", f"The {noun} of this image is", AMOUNT_WORDS)
        for a, noun in _ATTRIBUTE_NOUNS.items()
    )
    return (quality,) + attributes


def _numbers() -> tuple[Number, ...]:
    quality = Number("quality", "Rate the overall visual quality of this image from 1 (bad) to 5 (excellent). "
                     "Answer with the number only.", "", 1.0, 5.0)
    attributes = tuple(
        Number(a, f"Rate the {noun} of this image from 1 (minimal) to 5 (extreme). Answer with the number only.",
               "", 1.0, 5.0)
        for a, noun in _ATTRIBUTE_NOUNS.items()
    )
    return (quality,) + attributes


_VQ_R1_PROMPT = (
    "You are doing the image quality assessment task. Here is the question: What is your overall rating on the "
    "quality of this picture? The rating should be a float between 1 and 5, rounded to two decimal places, with 1 "
    "representing very poor quality and 5 representing excellent quality. First output the thinking process in "
    "<think> </think> tags and then output the final answer with only one score in <answer> </answer> tags.")
_Q_INSIGHT_SYSTEM = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant "
    "first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning "
    "process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., "
    "<think> reasoning process here </think><answer> answer here </answer>")
_Q_INSIGHT_PROMPT = (
    "What is your overall rating on the quality of this picture? The rating should be a float between 1 and 5, "
    "rounded to two decimal places, with 1 representing very poor quality and 5 representing excellent quality. "
    'Return the final answer in JSON format with the following keys: "rating": The score.')
_Q_SIT_PROMPT = (
    "Assume you are an image quality evaluator. \nYour rating should be chosen from the following five categories: "
    "Excellent, Good, Fair, Poor, and Bad (from high to low). \nHow would you rate the quality of this image?")
_AUTHENTICITY = Choice("Is this image AI-generated rather than a real photograph? Answer yes or no.", "",
                       positive=("Yes", "yes"), negative=("No", "no"))
_PALIGEMMA_TEMPLATE = (
    "{% for message in messages %}{% for part in message['content'] %}{% if part['type'] == 'image' %}<image>"
    "{% endif %}{% endfor %}{% endfor %}{% for message in messages %}{% for part in message['content'] %}"
    "{% if part['type'] == 'text' %}{{ part['text'] }}{{ '\\n' if message['role'] == 'user' else ' ' }}{% endif %}"
    "{% endfor %}{% endfor %}")
_CRITIQUE = ("Describe the visual quality of this image in two or three sentences: its sharpness, exposure, "
             "colour, noise and any visible artefacts.")

_NO_THINKING = (("enable_thinking", False),)

RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        # VisualCritic's instruction style: one question per property, answered "The X of this image is <level>".
        # Answers are read straight after the stem, so models that can think (Qwen3.5) are told not to; templates
        # without the keyword ignore it.
        Recipe("visualcritic", _levels(), _AUTHENTICITY, _CRITIQUE, template_options=_NO_THINKING,
               families=("llava", "llava_next", "llava_onevision", "qwen2_vl", "qwen2_5_vl", "qwen3_vl",
                         "idefics3", "smolvlm", "gemma3", "mistral3")),
        # The same questions for PaliGemma, which ships no chat template: rendered as its processor lays a prompt
        # out (images, BOS added by the processor, the text, the newline that ends a prompt), then the stem.
        Recipe("visualcritic-paligemma", _levels(), _AUTHENTICITY, _CRITIQUE, families=("paligemma",),
               chat_template=_PALIGEMMA_TEMPLATE),
        # For critics fine-tuned to answer with a score: generated, parsed, mapped to 0..100.
        Recipe("visualcritic-number", _numbers(), _AUTHENTICITY, _CRITIQUE, template_options=_NO_THINKING),
        # Q-Align's rule (Wu et al., ICML 2024) for any instruction model: quality only, five words weighted 5..1.
        # Its images were 448x448, so a dynamic-resolution model gets at most that many pixels.
        Recipe("q-align", (Levels("quality", "How would you rate the quality of this image?",
                                  "The quality of the image is", QUALITY_WORDS),), _AUTHENTICITY, _CRITIQUE,
               max_pixels=448 * 448, template_options=_NO_THINKING),
        # VisualQuality-R1 (Wu et al., 2025; Qwen2.5-VL-7B): the authors' prompt, vision ids, sampled reasoning,
        # the number in the last <answer> on 1..5.
        Recipe("visualquality-r1", (Number("quality", _VQ_R1_PROMPT, "", 1.0, 5.0, tag="answer", samples=1),),
               _AUTHENTICITY, _CRITIQUE, number_tokens=2048, template_options=(("add_vision_id", True),)),
        # Q-Insight (Li et al., NeurIPS 2025; Qwen2.5-VL-7B): the authors' system prompt, the question before the
        # image, sampled reasoning, the "rating" of the JSON in the last <answer> on 1..5.
        Recipe("q-insight", (Number("quality", _Q_INSIGHT_PROMPT, "", 1.0, 5.0, tag="answer", json_key="rating",
                                    samples=1, temperature=1.0, top_k=50, top_p=0.95, text_first=True),),
               _AUTHENTICITY, _CRITIQUE, system=_Q_INSIGHT_SYSTEM, number_tokens=1024),
        # The Q-ReAlign critics (Q-Future; Qwen3.5 0.8B/4B/9B): Q-Align's question, stem and weights,
        # trained and evaluated with thinking off; the processor's own image size.
        Recipe("q-realign", (Levels("quality", "How would you rate the quality of this image?",
                                    "The quality of the image is", QUALITY_WORDS),), _AUTHENTICITY, _CRITIQUE,
               template_options=_NO_THINKING),
        # Q-SiT (Zhang et al., 2025; LLaVA-OneVision 0.5B/7B): the authors' scoring prompt, the stem "The quality
        # of this image is " ending in a space, then the capitalised words as each tokenizes alone, weighted 5..1.
        Recipe("q-sit", (Levels("quality", _Q_SIT_PROMPT, "The quality of this image is ",
                                ("Excellent", "Good", "Fair", "Poor", "Bad"), words_alone=True),),
               _AUTHENTICITY, _CRITIQUE),
    )
}
DEFAULT_RECIPE = "visualcritic"


def recipe_for(model_type: str, name: str | None = None) -> Recipe:
    """The recipe named `name` (a built-in name or a JSON file), else the default for the model family."""
    if name is None:
        return next((r for r in RECIPES.values() if model_type in r.families), RECIPES[DEFAULT_RECIPE])
    if name in RECIPES:
        return RECIPES[name]
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        return recipe_from_json(path)
    raise ValueError(f"unknown recipe {name!r}: use one of {', '.join(RECIPES)} or a .json file with a recipe's fields")


def recipe_from_json(path: Path) -> Recipe:
    """A recipe from JSON: {"name", "ratings": [{"field", "question", "stem", "words"|"low"+"high"}],
    "authenticity": {"question", "stem", "positive", "negative"}, "critique", "system"?, ...}."""
    data = json.loads(path.read_text())
    try:
        ratings = tuple(
            Levels(r["field"], r["question"], r.get("stem", ""), tuple(r["words"]), bool(r.get("words_alone")))
            if "words" in r
            else Number(r["field"], r["question"], r.get("stem", ""), float(r["low"]), float(r["high"]),
                        **{k: r[k] for k in NUMBER_KEYS if k in r})
            for r in data["ratings"]
        )
        a = data["authenticity"]
        choice = Choice(a["question"], a.get("stem", ""), tuple(a["positive"]), tuple(a["negative"]))
        extra = {k: data[k] for k in ("system", "critique_tokens", "number_tokens", "min_pixels", "max_pixels",
                                      "chat_template") if k in data}
        if "template_options" in data:
            extra["template_options"] = tuple(sorted(dict(data["template_options"]).items()))
        return Recipe(data.get("name", path.stem), ratings, choice, data["critique"], **extra)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"recipe file {path}: missing or malformed field {exc}") from None


NUMBER_KEYS = ("tag", "json_key", "samples", "temperature", "top_k", "top_p", "text_first")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
# Numbers that state the scale rather than the rating: "out of 5", "/5", "from 1 to 5", "between 1 and 5", "1-5".
_SCALE = re.compile(r"(?:out of|/)\s*[-+]?\d+(?:\.\d+)?|(?:from|between)\s*\d+(?:\.\d+)?\s*(?:to|and)\s*\d+(?:\.\d+)?"
                    r"|\b\d+(?:\.\d+)?\s*-\s*\d+(?:\.\d+)?\b", re.IGNORECASE)


def parse_number(answer: str, question: Number) -> float:
    """The rating in a generated answer mapped from [low, high] to 0..100.

    With a `tag`, only the last `<tag>…</tag>` is read. Numbers that state the scale ("out of 5", "/5",
    "from 1 to 5") are ignored; the rest must name one value on [low, high]. ValueError otherwise.
    """
    text = answer
    if question.tag:
        found = re.findall(rf"<{question.tag}>(.*?)</{question.tag}>", answer, re.DOTALL)
        if not found:
            raise ValueError(f"unparsable answer (no <{question.tag}>)")
        text = found[-1]
    if question.json_key:
        found = re.findall(rf'"{re.escape(question.json_key)}"\s*:\s*"?([-+]?\d+(?:\.\d+)?)', text)
        if not found:
            raise ValueError(f'unparsable answer (no "{question.json_key}" number)')
        text = found[-1]
    values = {float(m) for m in _NUMBER.findall(_SCALE.sub(" ", text))}
    values = {v for v in values if question.low <= v <= question.high}
    if len(values) != 1:
        what = "no number" if not values else f"{len(values)} different numbers"
        raise ValueError(f"unparsable answer ({what} from {question.low:g} to {question.high:g})")
    return 100.0 * (values.pop() - question.low) / (question.high - question.low)
