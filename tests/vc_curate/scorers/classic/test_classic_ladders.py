"""The ladders rise in severity and are real encoded images; the rank correlation is Spearman's."""

import io

import numpy as np
import pytest
import skimage.data
from PIL import Image

from tests.support.ladders import ALL_LEVELS, DEGRADATIONS, OTHER_FORMS, ladder, spearman


@pytest.mark.parametrize("degradation", DEGRADATIONS + OTHER_FORMS)
def test_ladder_rungs_are_decodable_images_of_the_same_size(degradation):
    img = Image.fromarray(skimage.data.chelsea())
    rungs = ladder(img, degradation)
    assert len(rungs) == len(ALL_LEVELS[degradation])
    assert rungs[0][1] != rungs[-1][1]  # the worst rung is not the photo itself
    severities = [s for s, _ in rungs]
    assert severities == sorted(severities)
    for _, data in rungs:
        assert Image.open(io.BytesIO(data)).size == img.size


def test_spearman():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [5, 5, 5]) == 0.0
    x, y = [1, 2, 3, 4, 5], [1, 3, 2, 2, 5]
    from scipy.stats import spearmanr

    assert spearman(x, y) == pytest.approx(spearmanr(x, y)[0])
    assert not np.isnan(spearman([1, 1], [1, 2]))
