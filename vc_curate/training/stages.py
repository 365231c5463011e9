"""The three stages of VisualCritic's recipe as step planners: each draws a batch of chat turns (and, for
relativity, pairs) from the label set; `step_loss` turns the model's logits on them into one loss."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from vc_curate.record import ATTRIBUTES
from vc_curate.scorers.lmm.critique import compose_critique
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES, first_tokens, render
from vc_curate.scorers.lmm.recipes import Levels, Recipe
from vc_curate.training.labels import LabelSet
from vc_curate.training.losses import answer_loss, fidelity_loss, rating_loss
from vc_curate.training.normalise import normalise
from vc_curate.training.pairs import PairSampler
from vc_curate.training.sequences import Turn

COMPARE = ("Which of these two images has the better overall visual quality, the first or the second? "
           "Answer first or second.")
COMPARE_STEM = "The better image is the"
# Other ways users ask, for the instruction stage ({noun} is the attribute's noun or "overall visual quality").
RATING_PARAPHRASES = ("What do you think of the {noun} of this image?", "Judge the {noun} of this picture.",
                      "Give a one-sentence rating of this image's {noun}.")
DESCRIBE_PARAPHRASES = ("How good is this image, and why?", "Critique the visual quality of this picture.",
                        "What would a photographer say about the quality of this image?")
AUTHENTICITY_PARAPHRASES = (("Was this picture made by an AI model or taken with a camera?",
                             "It was made by an AI model.", "It was taken with a camera."),)
NOUNS = {"quality": "overall visual quality", "noisiness": "amount of noise"}


@dataclass(slots=True)
class Step:
    turns: list[Turn]
    pairs: list[tuple[int, int, float]] = field(default_factory=list)  # rating-turn rows, P(first is better)


@dataclass(frozen=True, slots=True)
class Rating:
    question: Levels
    choices: tuple[int, ...]  # first tokens of the five level words, best/most first


def level_target(value: float) -> tuple[float, ...]:
    """Probabilities over the five levels (best first) whose expected level value is `value` (0..100):
    the mass split between the two neighbouring levels."""
    x = (LEVEL_VALUES[0] - float(np.clip(value, 0.0, 100.0))) / (LEVEL_VALUES[0] - LEVEL_VALUES[1])
    low = min(int(x), len(LEVEL_VALUES) - 2)
    frac = x - low
    target = [0.0] * len(LEVEL_VALUES)
    target[low], target[low + 1] = 1.0 - frac, frac
    return tuple(target)


def level_word(value: float, words: tuple[str, ...]) -> str:
    return words[int(round((LEVEL_VALUES[0] - float(np.clip(value, 0.0, 100.0))) / 25.0))]


class Stage:
    """What every stage knows: the labels (normalised per group), the recipe's questions and their tokens."""

    name = ""

    def __init__(self, labels: LabelSet, recipe: Recipe, processor: Any):
        self.labels = labels
        self.recipe = recipe
        tokenizer = processor.tokenizer
        self.ratings: dict[str, Rating] = {}
        for q in recipe.ratings:
            if not isinstance(q, Levels):
                raise ValueError(f"recipe {recipe.name!r} asks for numbers; training targets level words, so "
                                 "use a level-word recipe such as `visualcritic`")
            context = render(processor, q.question, system=recipe.system, stem=q.stem, options=recipe.template_options)
            self.ratings[q.field] = Rating(q, first_tokens(tokenizer, context, q.words, q.field, alone=q.words_alone))
        a = recipe.authenticity
        context = render(processor, a.question, system=recipe.system, stem=a.stem, options=recipe.template_options)
        yes = first_tokens(tokenizer, context, a.positive, "ai_generated", distinct=False)
        no = first_tokens(tokenizer, context, a.negative, "ai_generated", distinct=False)
        if set(yes) & set(no):
            raise ValueError(f"recipe {recipe.name!r}: its yes and no words share first tokens for this tokenizer")
        self.authenticity_choices = tuple(dict.fromkeys(yes)) + tuple(dict.fromkeys(no))
        self.yes_target = tuple(float(t == yes[0]) for t in self.authenticity_choices)
        self.no_target = tuple(float(t == no[0]) for t in self.authenticity_choices)
        self.values = {"quality": normalise(labels.mos, labels.groups)}
        self.values |= {a: normalise(v, labels.groups) for a, v in labels.attributes.items()}

    def fields_of(self, row: int) -> list[str]:
        """Rated fields with a value for this image, then `ai_generated` where labelled."""
        names = [f for f in ("quality",) + ATTRIBUTES if f in self.values and np.isfinite(self.values[f][row])]
        return names + (["ai_generated"] if np.isfinite(self.labels.ai_generated[row]) else [])

    def plan(self, rng: np.random.Generator, batch_size: int) -> Step:
        raise NotImplementedError


class Relativity(Stage):
    """Which of two images of one group is better: a dialogue answer, and a fidelity loss between the
    model's rating-word distributions for the two images and the human preference probability."""

    name = "relativity"

    def __init__(self, labels: LabelSet, recipe: Recipe, processor: Any):
        super().__init__(labels, recipe, processor)
        self.sampler = PairSampler(labels)

    def plan(self, rng: np.random.Generator, batch_size: int) -> Step:
        quality = self.ratings["quality"]
        step = Step([])
        for pair in self.sampler.sample(rng, batch_size):
            answer = "first." if pair.preference >= 0.5 else "second."
            step.turns.append(Turn((pair.first, pair.second), COMPARE, COMPARE_STEM, answer))
            for row in (pair.first, pair.second):
                step.turns.append(Turn((row,), quality.question.question, quality.question.stem,
                                       choices=quality.choices))
            step.pairs.append((len(step.turns) - 2, len(step.turns) - 1, pair.preference))
        return step


class Multifunctional(Stage):
    """Absolute ratings: rating-word targets for quality and the attributes (normalised to 0..100 per
    group), and the authenticity question where the labels say."""

    name = "multifunctional"

    def plan(self, rng: np.random.Generator, batch_size: int) -> Step:
        turns = []
        for row in rng.integers(0, len(self.labels), size=batch_size):
            name = rng.choice(self.fields_of(int(row)))
            if name == "ai_generated":
                a = self.recipe.authenticity
                target = self.yes_target if self.labels.ai_generated[row] == 1 else self.no_target
                turns.append(Turn((int(row),), a.question, a.stem, choices=self.authenticity_choices, target=target))
            else:
                r = self.ratings[name]
                turns.append(Turn((int(row),), r.question.question, r.question.stem, choices=r.choices,
                                  target=level_target(self.values[name][row])))
        return Step(turns)


class Instruction(Stage):
    """Following instructions: ratings, authenticity and critiques asked in several ways and answered in
    full sentences; critiques are the labels' descriptions where given, else composed from the ratings."""

    name = "instruction"

    def plan(self, rng: np.random.Generator, batch_size: int) -> Step:
        return Step([self._turn(rng, int(row)) for row in rng.integers(0, len(self.labels), size=batch_size)])

    def _turn(self, rng: np.random.Generator, row: int) -> Turn:
        names = self.fields_of(row)
        description = self._description(row)
        kinds = ["rating"] + (["authenticity"] if "ai_generated" in names else []) + (["describe"] if description else [])
        kind = kinds[rng.integers(len(kinds))]
        if kind == "describe":
            question = [self.recipe.critique, *DESCRIBE_PARAPHRASES][rng.integers(1 + len(DESCRIBE_PARAPHRASES))]
            return Turn((row,), question, answer=description)
        if kind == "authenticity":
            ai = self.labels.ai_generated[row] == 1
            a = self.recipe.authenticity
            options = [(a.question, a.positive[0] + ".", a.negative[0] + "."), *AUTHENTICITY_PARAPHRASES]
            question, yes, no = options[rng.integers(len(options))]
            return Turn((row,), question, answer=yes if ai else no)
        name = [n for n in names if n != "ai_generated"][rng.integers(len(names) - ("ai_generated" in names))]
        r = self.ratings[name].question
        noun = NOUNS.get(name, name)
        question = [r.question, *(p.format(noun=noun) for p in RATING_PARAPHRASES)][rng.integers(1 + len(RATING_PARAPHRASES))]
        return Turn((row,), question, answer=f"{r.stem} {level_word(self.values[name][row], r.words)}.")

    def _description(self, row: int) -> str | None:
        if self.labels.descriptions[row]:
            return self.labels.descriptions[row]
        scores = {name: self.values[name][row] for name in ("quality",) + ATTRIBUTES if name in self.values}
        if len(scores) == 1 + len(ATTRIBUTES) and all(np.isfinite(v) for v in scores.values()):
            return compose_critique(scores)
        return None


STAGES = {s.name: s for s in (Relativity, Multifunctional, Instruction)}


def step_loss(step: Step, logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
    """The sum of the losses this step has (answer tokens, rating targets, fidelity), and each of them."""
    parts = {"answer": answer_loss(logits, labels.to(logits.device)), "rating": rating_loss(logits, step.turns),
             "fidelity": fidelity_loss(logits, step.turns, step.pairs)}
    present = {k: v for k, v in parts.items() if v is not None}
    return sum(present.values()), {k: float(v.detach()) for k, v in present.items()}
