"""Pairs for the relativity stage: two images of one group whose MOS difference people would agree on.

Opinion scores of different groups (datasets) are on inconsistent scales, so a pair never crosses groups.
Within a group a pair is kept only when its MOS gap is large against the group's spread and against the
two images' own rating noise (`std` where the table gives it), read as the probability that people
prefer the first image (Thurstone: Phi(gap / sqrt(std_a^2 + std_b^2))).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vc_curate.training.labels import LabelSet

MIN_GAP = 0.1  # |MOS gap| at least this share of the group's standard deviation of MOS
MIN_CONFIDENCE = 0.6  # people prefer one image with at least this probability
DEFAULT_STD_SHARE = 0.5  # per-image std assumed where the table has none, as a share of the group's spread
TRIES = 100
CHECK_ROWS = 512  # rows of a large group tried against all its others when looking for a usable pair


@dataclass(frozen=True, slots=True)
class Pair:
    first: int  # row in the label set
    second: int
    preference: float  # probability that people rate `first` above `second`


def preference(mos_a, mos_b, std_a, std_b):
    """Probability that people prefer image a over image b (arrays broadcast)."""
    sigma = np.sqrt(np.square(std_a) + np.square(std_b))
    z = (np.asarray(mos_a, dtype=float) - mos_b) / np.maximum(sigma, 1e-9)
    return torch.special.ndtr(torch.as_tensor(z, dtype=torch.float64)).numpy()


class PairSampler:
    """Draws within-group pairs with a meaningful MOS difference; which image comes first is random."""

    def __init__(self, labels: LabelSet, min_gap: float = MIN_GAP, min_confidence: float = MIN_CONFIDENCE):
        self.mos = labels.mos
        self.min_confidence = min_confidence
        self.members: list[np.ndarray] = []
        self.std = np.array(labels.std, dtype=float)
        self.min_delta = np.zeros(len(labels))
        self.fallback: list[tuple[int, int]] = []  # one usable pair per group, for unlucky draws
        unusable = []
        for group in sorted(set(labels.groups)):
            rows = np.flatnonzero(labels.groups == group)
            spread = float(np.std(self.mos[rows])) if len(rows) > 1 else 0.0
            self.std[rows] = np.where(np.isfinite(self.std[rows]), self.std[rows], DEFAULT_STD_SHARE * spread)
            self.min_delta[rows] = min_gap * spread
            pair = self._find_pair(rows) if spread > 0 else None
            if pair is None:
                unusable.append(str(group))
            else:
                self.members.append(rows)
                self.fallback.append(pair)
        if not self.members:
            raise ValueError("no group has two images whose MOS differ clearly enough to pair "
                             f"(groups: {', '.join(unusable)}); the relativity stage needs several rated "
                             "images per group (`dataset` or --group-by)")
        self.unusable = unusable
        sizes = np.array([len(m) for m in self.members], dtype=float)
        self.weights = sizes / sizes.sum()

    def _eligible(self, a, others: np.ndarray) -> np.ndarray:
        """Which (a, other) pairs qualify; `a` a row or a column of rows (then a matrix)."""
        gap = np.abs(self.mos[others] - self.mos[a])
        p = preference(self.mos[a], self.mos[others], self.std[a], self.std[others])
        confident = np.maximum(p, 1.0 - p) >= self.min_confidence
        return (others != a) & (gap > 0) & (gap >= self.min_delta[a]) & confident

    def _find_pair(self, rows: np.ndarray) -> tuple[int, int] | None:
        """A usable pair of the group: every row tried against the others, or in a large group its
        CHECK_ROWS highest- and lowest-rated rows (where usable pairs are, if anywhere)."""
        order = rows[np.argsort(self.mos[rows])]
        tried = np.unique(np.concatenate([order[:CHECK_ROWS // 2], order[-CHECK_ROWS // 2:]]))
        chunk = max(1, 2_000_000 // len(rows))  # bounded memory on groups of many thousands
        for start in range(0, len(tried), chunk):
            part = tried[start:start + chunk]
            hits = np.argwhere(self._eligible(part[:, None], rows[None, :]))
            if len(hits):
                return int(part[hits[0][0]]), int(rows[hits[0][1]])
        return None

    def sample(self, rng: np.random.Generator, n: int) -> list[Pair]:
        pairs = []
        for _ in range(n):
            index = rng.choice(len(self.members), p=self.weights)
            rows = self.members[index]
            for _ in range(TRIES):
                a = int(rng.choice(rows))
                partners = rows[self._eligible(a, rows)]
                if len(partners):
                    b = int(rng.choice(partners))
                    break
            else:  # no draw found a partner: the pair found when the group was checked
                a, b = self.fallback[index]
                if rng.random() < 0.5:
                    a, b = b, a
            pairs.append(Pair(a, b, float(preference(self.mos[a], self.mos[b], self.std[a], self.std[b]))))
        return pairs
