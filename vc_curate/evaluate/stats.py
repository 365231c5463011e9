"""Agreement statistics in plain numpy (no scipy in the base install), vectorised over bootstrap rows.

Every function takes arrays whose last axis holds the samples, so one call scores a single sample
(shape `(n,)`) or a whole stack of bootstrap resamples (shape `(B, n)`).
"""

from __future__ import annotations

import numpy as np


def rankdata(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n along the last axis, ties given their average rank (as Spearman's rho needs)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")
    ordered = np.take_along_axis(x, order, axis=-1)
    position = np.broadcast_to(np.arange(n), x.shape)
    differs = ordered[..., 1:] != ordered[..., :-1]
    edge = np.ones(x.shape[:-1] + (1,), dtype=bool)
    starts = np.concatenate([edge, differs], axis=-1)
    ends = np.concatenate([differs, edge], axis=-1)
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)
    last = np.flip(np.minimum.accumulate(np.flip(np.where(ends, position, n), axis=-1), axis=-1), axis=-1)
    ranks = np.empty_like(ordered)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=-1)
    return ranks


def pearson(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson's r along the last axis; NaN where either side is constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    dx = x - x.mean(axis=-1, keepdims=True)
    dy = y - y.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((dx * dx).sum(axis=-1) * (dy * dy).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (dx * dy).sum(axis=-1) / denominator
    return np.where(denominator > 0, np.clip(r, -1.0, 1.0), np.nan)


def spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho: Pearson's r of the average ranks."""
    return pearson(rankdata(x), rankdata(y))


def roc_auc(score: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Area under the ROC curve (Mann-Whitney U over average ranks); NaN where a class is missing."""
    truth = np.asarray(truth, dtype=bool)
    ranks = rankdata(score)
    positives = truth.sum(axis=-1)
    negatives = truth.shape[-1] - positives
    u = (ranks * truth).sum(axis=-1) - positives * (positives + 1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = u / (positives * negatives)
    return np.where((positives > 0) & (negatives > 0), auc, np.nan)


def accuracy(score: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Share of images whose `score >= threshold` call matches the 0/1 truth."""
    truth = np.asarray(truth, dtype=bool)
    return ((np.asarray(score, dtype=float) >= threshold) == truth).mean(axis=-1)


def bootstrap_ci(metric, x: np.ndarray, y: np.ndarray, *, resamples: int = 1000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of `metric(x, y)` over `resamples` draws with replacement.

    Resamples where the metric is undefined (a constant draw, one class only) are left out; (nan, nan) when
    none is defined.
    """
    rng = np.random.default_rng(seed)
    n = len(x)
    chunk = max(1, min(resamples, 4_000_000 // max(n, 1)))  # bounded memory on large tables
    values = [np.empty(0)]
    for start in range(0, resamples, chunk):
        index = rng.integers(0, n, size=(min(chunk, resamples - start), n))
        values.append(metric(np.asarray(x)[index], np.asarray(y)[index]))
    values = np.concatenate(values)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)
