"""Per-group normalisation to 0..100 and the rating-word targets built on it, on hand-made tables."""

from __future__ import annotations

import numpy as np
import pytest

from vc_curate.scorers.lmm.prompts import LEVEL_VALUES
from vc_curate.scorers.lmm.recipes import QUALITY_WORDS
from vc_curate.training.labels import read_label_set
from vc_curate.training.normalise import normalise
from vc_curate.training.stages import level_target, level_word


def test_each_group_is_rescaled_from_its_own_range():
    values = np.array([1.0, 3.0, 5.0, 10.0, 55.0, 100.0, 7.0, 7.0, np.nan])
    groups = np.array(["a", "a", "a", "b", "b", "b", "c", "c", "a"], dtype=object)
    out = normalise(values, groups)
    np.testing.assert_allclose(out[:8], [0, 50, 100, 0, 50, 100, 50, 50])
    assert np.isnan(out[8])


def test_groups_on_different_scales_meet_on_one_scale(labels_csv):
    labels = read_label_set(labels_csv)
    quality = normalise(labels.mos, labels.groups)
    np.testing.assert_allclose(quality[:6], quality[6:])  # same ranks, scales 1..5 and 10..90
    np.testing.assert_allclose(quality[:6], [0, 20, 40, 60, 80, 100])
    sharpness = normalise(labels.attributes["sharpness"], labels.groups)
    np.testing.assert_allclose(sharpness[:6], [0, 20, 40, 60, 80, 100])
    assert set(normalise(labels.attributes["colorfulness"], labels.groups)) == {50.0}


@pytest.mark.parametrize("value", [0.0, 12.5, 25.0, 40.0, 50.0, 63.0, 99.0, 100.0])
def test_level_targets_have_the_value_as_their_expected_level(value):
    target = np.array(level_target(value))
    assert target.sum() == pytest.approx(1.0) and (target >= 0).all() and np.count_nonzero(target) <= 2
    assert target @ np.array(LEVEL_VALUES) == pytest.approx(value)


def test_level_words_are_the_nearest_level():
    assert [level_word(v, QUALITY_WORDS) for v in (100, 80, 60, 40, 10, 0)] == [
        "excellent", "good", "fair", "fair", "bad", "bad"]
