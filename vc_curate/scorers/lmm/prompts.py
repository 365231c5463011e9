"""A recipe rendered through the model's chat template, split into one shared prefix and per-question suffixes.

Every question's prompt is `prefix + suffix`: the prefix holds the image and is identical for all questions,
so the image is encoded once per record; each suffix (question, generation prompt, answer stem) is the
same token ids for every image, so it is tokenized once here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vc_curate.scorers.lmm.recipes import Choice, Levels, Number, Recipe

LEVEL_VALUES = (100.0, 75.0, 50.0, 25.0, 0.0)  # Q-Align: best/most word first, equal steps


@dataclass(frozen=True, slots=True)
class Suffix:
    field: str  # "quality", an attribute, "ai_generated" or "critique"
    text: str  # what follows the prefix: question, end of turn, generation prompt, answer stem
    ids: tuple[int, ...]
    word_ids: tuple[int, ...] = ()  # levels: five first tokens; choice: positives then negatives
    positives: int = 0  # choice: how many of word_ids are positive
    question: Levels | Number | Choice | None = None
    whole: bool = False  # `text` is a whole prompt of its own (question before the image), `ids` empty


@dataclass(frozen=True, slots=True)
class PromptPlan:
    prefix: str  # text with the image placeholder; the processor expands it per image
    special: bool  # whether tokenizing the prefix adds special tokens (False: the template wrote BOS itself)
    levels: tuple[Suffix, ...]  # read from one forward pass (with authenticity last)
    numbers: tuple[Suffix, ...]  # generated and parsed
    critique: Suffix


def plan_prompts(recipe: Recipe, processor: Any) -> PromptPlan:
    """Render, split and tokenize every question of `recipe` for `processor`'s chat template."""
    tokenizer = processor.tokenizer
    alone = tuple(Suffix(q.field, render(processor, q.question, system=recipe.system, stem=q.stem,
                                         options=recipe.template_options, text_first=True), (), question=q, whole=True)
                  for q in recipe.ratings if isinstance(q, Number) and q.text_first)
    questions: list[tuple[str, Any, str, str]] = [(q.field, q, q.question, q.stem) for q in recipe.ratings
                                                  if not (isinstance(q, Number) and q.text_first)]
    questions.append(("ai_generated", recipe.authenticity, recipe.authenticity.question, recipe.authenticity.stem))
    questions.append(("critique", None, recipe.critique, ""))
    texts = [render(processor, question, system=recipe.system, stem=stem, options=recipe.template_options)
             for _, _, question, stem in questions]
    special = not starts_with_bos(tokenizer, texts[0])
    prefix = _split_point(texts, tokenizer, _image_placeholder(processor), special)
    suffixes = []
    for (field, question, _, _), text in zip(questions, texts):
        rest = text[len(prefix):]
        ids = tuple(_encode(tokenizer, rest))
        if isinstance(question, Levels):
            word_ids = first_tokens(tokenizer, rest, question.words, field, alone=question.words_alone)
            suffixes.append(Suffix(field, rest, ids, word_ids, 0, question))
        elif isinstance(question, Choice):
            words = question.positive + question.negative
            word_ids = first_tokens(tokenizer, rest, words, field, distinct=False)
            pos, neg = set(word_ids[:len(question.positive)]), set(word_ids[len(question.positive):])
            if pos & neg:
                raise ValueError(f"recipe authenticity words {words} share first tokens for this tokenizer; "
                                 "choose yes/no words that start differently")
            word_ids = tuple(sorted(pos)) + tuple(sorted(neg))
            suffixes.append(Suffix(field, rest, ids, word_ids, len(pos), question))
        else:
            suffixes.append(Suffix(field, rest, ids, (), 0, question))
    levels = tuple(s for s in suffixes if s.word_ids)
    numbers = tuple(s for s in suffixes if isinstance(s.question, Number)) + alone
    return PromptPlan(prefix, special, levels, numbers, suffixes[-1])


def use_recipe_template(processor: Any, recipe: Recipe) -> None:
    """Give a processor that ships no chat template (PaliGemma's) the recipe's, if it has one."""
    if recipe.chat_template and not (getattr(processor, "chat_template", None) or processor.tokenizer.chat_template):
        processor.chat_template = recipe.chat_template


def starts_with_bos(tokenizer: Any, text: str) -> bool:
    """Whether a rendered chat already begins with BOS, so tokenizing must not add a second one (as
    transformers' own `apply_chat_template(tokenize=True)` does)."""
    bos = tokenizer.bos_token
    return bool(bos) and text.startswith(bos)


def render(processor: Any, question: str, *, system: str | None = None, images: int = 1, stem: str = "",
           options: tuple[tuple[str, object], ...] = (), text_first: bool = False) -> str:
    """One user turn (the images, then the question; or the question first) through the model's chat
    template, with the generation prompt and, where given, the answer's stem after it. Shared by scoring and
    training."""
    messages = [{"role": "system", "content": [{"type": "text", "text": system}]}] if system else []
    parts = [{"type": "image"}] * images
    text = [{"type": "text", "text": question}]
    messages.append({"role": "user", "content": text + parts if text_first else parts + text})
    template = getattr(processor, "chat_template", None) or processor.tokenizer.chat_template
    if template is None:
        raise ValueError("the model's processor has no chat template; use a checkpoint that ships one "
                         "(chat_template.jinja or chat_template.json) or a recipe with a chat_template")
    # only the options the template reads: transformers 5 takes any other keyword for a processor argument
    # and warns on every call (a recipe's enable_thinking, say, on a template without thinking)
    used = {k: v for k, v in options if k in str(template)}
    prompt = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False, **used)
    if not stem:
        return prompt
    return prompt + stem if prompt[-1:].isspace() else prompt + " " + stem


def _image_placeholder(processor: Any) -> str:
    token = getattr(processor, "image_token", None)
    if not token:
        raise ValueError(f"{type(processor).__name__} names no image token; this architecture is not supported")
    return token


def _encode(tokenizer: Any, text: str, special: bool = False) -> list[int]:
    return tokenizer(text, add_special_tokens=special)["input_ids"]


def _split_point(texts: list[str], tokenizer: Any, image_token: str, special: bool) -> str:
    """The longest common prefix of `texts` that ends at a special token and tokenizes apart from the rest."""
    common = texts[0]
    for t in texts[1:]:
        n = 0
        while n < min(len(common), len(t)) and common[n] == t[n]:
            n += 1
        common = common[:n]
    if image_token not in common:
        raise ValueError("the chat template does not put the image before the question; the prompts cannot "
                         "share the image's prefix")
    specials = sorted({s for s in tokenizer.all_special_tokens if s} | {image_token}, key=len, reverse=True)
    cuts = sorted({i + len(s) for s in specials for i in _find_all(common, s)}, reverse=True)
    for cut in cuts:
        prefix = common[:cut]
        head = _encode(tokenizer, prefix, special=special)
        if image_token in prefix and all(
            _encode(tokenizer, t, special=special) == head + _encode(tokenizer, t[cut:]) for t in texts
        ):
            return prefix
    raise ValueError("the chat template's prompts do not split into an image prefix and question suffixes "
                     "that tokenize independently; this template is not supported")


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def first_tokens(tokenizer: Any, context: str, words: tuple[str, ...], field: str, distinct: bool = True,
                 alone: bool = False) -> tuple[int, ...]:
    """The first token of each word as the tokenizer produces it right after `context`.

    A space separates the word from a context that does not end in whitespace (so the token carries the
    tokenizer's leading-space marker, as the model would write it). `alone`: the first token of each word
    tokenized on its own instead (a recipe whose authors read them so). Words must start with different tokens.
    """
    base = _encode(tokenizer, context)
    sep = "" if not context or context[-1].isspace() else " "
    ids = []
    for word in words:
        if alone:
            ids.append(_encode(tokenizer, word)[0])
            continue
        full = _encode(tokenizer, context + sep + word)
        if full[:len(base)] != base or len(full) == len(base):
            raise ValueError(f"the {field} word {word!r} merges with the prompt's last token for this tokenizer; "
                             "change the recipe's stem or words")
        ids.append(full[len(base)])
    if distinct and len(set(ids)) != len(ids):
        tokens = tokenizer.convert_ids_to_tokens(ids)
        raise ValueError(f"the {field} level words {words} start with the same token(s) {tokens} for this "
                         "tokenizer; choose words whose first tokens differ")
    return tuple(ids)
