"""Pairs for the relativity stage: two images of one group whose MOS difference people would agree on.

Opinion scores of different groups (datasets) are on inconsistent scales, so a pair never crosses groups.
Within a group a pair is kept only when its MOS gap is large against the group's spread and against the
two images' own rating noise (`std` where the table gives it), read as the probability that people
prefer the first image (Thurstone: Phi(gap / sqrt(std_a^2 + std_b^2))).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vc_curate.training.labels import LabelSet

MIN_GAP = 0.1  # |MOS gap| at least this share of the group's standard deviation of MOS
MIN_CONFIDENCE = 0.6  # people prefer one image with at least this probability
DEFAULT_STD_SHARE = 0.5  # per-image std assumed where the table has none, as a share of the group's spread
TRIES = 100


@dataclass(frozen=True, slots=True)
class Pair:
    first: int  # row in the label set
    second: int
    preference: float  # probability that people rate `first` above `second`


def preference(mos_a, mos_b, std_a, std_b):
    """Probability that people prefer image a over image b (arrays broadcast)."""
    sigma = np.sqrt(np.square(std_a) + np.square(std_b))
    z = (np.asarray(mos_a, dtype=float) - mos_b) / np.maximum(sigma, 1e-9)
    return 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2.0)))


class PairSampler:
    """Draws within-group pairs with a meaningful MOS difference; which image comes first is random."""

    def __init__(self, labels: LabelSet, min_gap: float = MIN_GAP, min_confidence: float = MIN_CONFIDENCE):
        self.mos = labels.mos
        self.min_confidence = min_confidence
        self.members: list[np.ndarray] = []
        self.std = np.array(labels.std, dtype=float)
        self.min_delta = np.zeros(len(labels))
        unusable = []
        for group in sorted(set(labels.groups)):
            rows = np.flatnonzero(labels.groups == group)
            spread = float(np.std(self.mos[rows])) if len(rows) > 1 else 0.0
            self.std[rows] = np.where(np.isfinite(self.std[rows]), self.std[rows], DEFAULT_STD_SHARE * spread)
            self.min_delta[rows] = min_gap * spread
            if spread > 0 and self._eligible(rows[np.argmax(self.mos[rows])], rows[[np.argmin(self.mos[rows])]]).any():
                self.members.append(rows)
            else:
                unusable.append(str(group))
        if not self.members:
            raise ValueError("no group has two images whose MOS differ clearly enough to pair "
                             f"(groups: {', '.join(unusable)}); the relativity stage needs several rated "
                             "images per group (`dataset` or --group-by)")
        self.unusable = unusable
        sizes = np.array([len(m) for m in self.members], dtype=float)
        self.weights = sizes / sizes.sum()

    def _eligible(self, a: int, others: np.ndarray) -> np.ndarray:
        gap = np.abs(self.mos[others] - self.mos[a])
        p = preference(self.mos[a], self.mos[others], self.std[a], self.std[others])
        confident = np.maximum(p, 1.0 - p) >= self.min_confidence
        return (others != a) & (gap > 0) & (gap >= self.min_delta[a]) & confident

    def sample(self, rng: np.random.Generator, n: int) -> list[Pair]:
        pairs = []
        for _ in range(n):
            rows = self.members[rng.choice(len(self.members), p=self.weights)]
            for _ in range(TRIES):
                a = int(rng.choice(rows))
                partners = rows[self._eligible(a, rows)]
                if len(partners):
                    b = int(rng.choice(partners))
                    break
            else:  # every draw was a middling image: the group's extremes always qualify
                a, b = int(rows[np.argmax(self.mos[rows])]), int(rows[np.argmin(self.mos[rows])])
                if rng.random() < 0.5:
                    a, b = b, a
            pairs.append(Pair(a, b, float(preference(self.mos[a], self.mos[b], self.std[a], self.std[b]))))
        return pairs
