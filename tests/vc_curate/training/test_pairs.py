"""Relativity pairs: never across groups, only where people would agree which image is better."""

from __future__ import annotations

import numpy as np
import pytest

from vc_curate.training.labels import LabelSet
from vc_curate.training.pairs import MIN_CONFIDENCE, PairSampler, preference


def label_set(mos, groups, std=None) -> LabelSet:
    n = len(mos)
    return LabelSet(uris=[f"img{i}.png" for i in range(n)], groups=np.array(groups, dtype=object),
                    mos=np.array(mos, dtype=float), std=np.array(std if std is not None else [np.nan] * n, float),
                    attributes={}, ai_generated=np.full(n, np.nan), descriptions=[None] * n, group_by="dataset")


def test_pairs_never_cross_groups_and_follow_the_scores():
    rng = np.random.default_rng(1)
    groups = np.repeat(["a", "b", "c"], [30, 20, 10])
    mos = np.concatenate([rng.uniform(1, 5, 30), rng.uniform(0, 100, 20), rng.uniform(0, 10, 10)])
    labels = label_set(mos, groups)
    pairs = PairSampler(labels).sample(np.random.default_rng(0), 2000)
    assert all(groups[p.first] == groups[p.second] for p in pairs)
    assert {groups[p.first] for p in pairs} == {"a", "b", "c"}
    assert all((p.preference > 0.5) == (mos[p.first] > mos[p.second]) for p in pairs)
    assert all(max(p.preference, 1 - p.preference) >= MIN_CONFIDENCE for p in pairs)
    firsts_better = np.mean([p.preference > 0.5 for p in pairs])
    assert 0.4 < firsts_better < 0.6  # the better image is not always shown first


def test_gaps_small_against_the_groups_spread_are_not_paired():
    # group a spans 1..5; its two near-ties (3.0 / 3.01) must never be paired with each other
    labels = label_set([1.0, 3.0, 3.01, 5.0], ["a"] * 4)
    pairs = PairSampler(labels).sample(np.random.default_rng(0), 500)
    assert not any({p.first, p.second} == {1, 2} for p in pairs)


def test_per_image_std_decides_how_sure_people_are():
    # the same MOS gap is a clear preference with small std and a coin flip with large std
    assert preference(3.0, 2.0, 0.2, 0.2) > 0.99
    assert preference(3.0, 2.0, 5.0, 5.0) < 0.6
    noisy = label_set([2.0, 3.0, 2.1, 2.9], ["a"] * 4, std=[5.0, 5.0, 0.05, 0.05])
    pairs = PairSampler(noisy).sample(np.random.default_rng(0), 300)
    assert pairs and all({p.first, p.second} == {2, 3} for p in pairs)


def test_sampling_is_reproducible():
    labels = label_set(np.linspace(0, 1, 20), ["a"] * 10 + ["b"] * 10)
    a = PairSampler(labels).sample(np.random.default_rng(5), 50)
    b = PairSampler(labels).sample(np.random.default_rng(5), 50)
    assert a == b


def test_groups_without_a_usable_pair_are_left_out_or_refused():
    labels = label_set([3.0, 3.0, 1.0, 4.0, 2.0], ["flat", "flat", "b", "b", "single"])
    sampler = PairSampler(labels)
    assert sorted(sampler.unusable) == ["flat", "single"]
    assert all(labels.groups[p.first] == "b" for p in sampler.sample(np.random.default_rng(0), 20))
    with pytest.raises(ValueError, match="no group has two images"):
        PairSampler(label_set([3.0, 3.0, 2.0], ["x", "x", "y"]))
