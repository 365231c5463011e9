"""A third-party scorer: gives every image `level` on every grade and amount field the record declares."""

from __future__ import annotations

from dataclasses import dataclass

from vc_curate.fields import AMOUNT, FIELDS, GRADE
from vc_curate.options import ScorerOptions, option
from vc_curate.scorer import Scorer, Scores


@dataclass(frozen=True, kw_only=True)
class ToyOptions(ScorerOptions):
    level: float = option(50.0, "the score every image gets", minimum=0)


class ToyScorer(Scorer):
    name = "toy"
    Options = ToyOptions
    fills = tuple(name for name, spec in FIELDS.items() if spec.kind in (GRADE, AMOUNT))
    version = "toy/1"

    def score_batch(self, batch):
        return [Scores(**{name: self.options.level for name in self.fills}) for _ in batch]
