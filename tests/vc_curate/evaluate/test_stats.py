"""Rank correlations, AUC and bootstrap intervals in numpy agree with scipy's reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as reference

from vc_curate.evaluate.stats import accuracy, bootstrap_ci, pearson, rankdata, roc_auc, spearman


def test_rankdata_gives_ties_their_average_rank():
    assert rankdata(np.array([10, 20, 20, 5, 20])).tolist() == [2.0, 4.0, 4.0, 1.0, 4.0]
    rows = np.random.default_rng(0).integers(0, 4, size=(5, 30)).astype(float)
    assert np.allclose(rankdata(rows), reference.rankdata(rows, axis=-1))


def test_correlations_match_scipy_with_ties_and_per_row():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 6, size=(4, 40)).astype(float)
    y = x + rng.normal(0, 2, size=x.shape)
    assert np.allclose(spearman(x, y), [reference.spearmanr(a, b).statistic for a, b in zip(x, y)])
    assert np.allclose(pearson(x, y), [reference.pearsonr(a, b).statistic for a, b in zip(x, y)])
    assert spearman(np.arange(5.0), np.arange(5.0) ** 3) == pytest.approx(1.0)
    assert pearson(np.arange(5.0), -np.arange(5.0)) == pytest.approx(-1.0)


def test_constant_input_is_undefined_not_zero():
    assert np.isnan(pearson(np.ones(5), np.arange(5.0)))
    assert np.isnan(spearman(np.arange(5.0), np.full(5, 2.0)))


def test_roc_auc_is_mann_whitney_and_needs_both_classes():
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 2, 50).astype(bool)
    score = np.round(rng.random(50) + truth * 0.3, 1)  # rounded: many ties
    u = reference.mannwhitneyu(score[truth], score[~truth]).statistic
    assert roc_auc(score, truth) == pytest.approx(u / (truth.sum() * (~truth).sum()))
    assert np.isnan(roc_auc(score, np.ones(50, bool)))
    assert accuracy(np.array([0.9, 0.2, 0.5, 0.4]), np.array([1, 0, 0, 0], bool)) == pytest.approx(0.75)


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_images():
    rng = np.random.default_rng(3)

    def width(n):
        x = rng.normal(size=n)
        y = x + rng.normal(size=n)
        low, high = bootstrap_ci(spearman, x, y, resamples=400)
        assert low < float(spearman(x, y)) < high
        return high - low

    assert width(1000) < width(60) / 2
    assert bootstrap_ci(spearman, np.arange(10.0), np.arange(10.0), resamples=50, seed=7) == \
        bootstrap_ci(spearman, np.arange(10.0), np.arange(10.0), resamples=50, seed=7)
    assert all(np.isnan(bootstrap_ci(spearman, np.ones(4), np.arange(4.0), resamples=20)))
