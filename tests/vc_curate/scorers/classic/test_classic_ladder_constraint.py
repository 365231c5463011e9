"""The ladder constraint on the fitted quality model: quality falls steadily with every degradation's
severity, on ladders generated here from multi-megapixel photos and small samples (never fitted on)."""

from pathlib import Path

import numpy as np
import pytest
import skimage.data
from PIL import Image

import vc_curate
from tests.support.ladders import DEGRADATIONS, OTHER_FORMS, ladder_correlations

PHOTOS = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "photos"
# a 4 and a 6.7 megapixel photo (draft decoding at work) and three small ones shipped with scikit-image
LARGE = ("animals_2.jpg", "nature_3.jpg")
SMALL = ("astronaut", "chelsea", "coffee")
# mean Spearman(severity, quality) over every ladder; the goal is -0.90 (see docs/classic.md). Here -0.85
# (classic/9; glare -0.62, a patch that barely moves quality on animals_2; noise -0.71): noise added to these
# multi-megapixel photos averages away at the working size, and what is left of its ladder follows the scene
# statistics' small moves
OVERALL = -0.80
MIN_KIND = -0.5  # each degradation's mean: quality falls with every one of them


@pytest.fixture(scope="module")
def sources():
    missing = [n for n in LARGE if not (PHOTOS / n).is_file()]
    if missing:
        pytest.fail(f"{PHOTOS} lacks {missing}: the shared data folder must sit beside the repository")
    sources = {n: Image.open(PHOTOS / n).convert("RGB") for n in LARGE}
    assert all(im.width * im.height > 3e6 for im in sources.values())
    sources.update({n: Image.fromarray(getattr(skimage.data, n)()) for n in SMALL})
    return sources


@pytest.fixture(scope="module")
def scorer():
    return vc_curate.load_scorer("classic", device="cpu")


@pytest.fixture(scope="module")
def table(sources, scorer):
    return ladder_correlations(scorer, sources, ("quality", "sharpness", "brightness"))


def mean(table, degradation, field):
    return float(np.mean([v[field] for v in table[degradation].values()]))


@pytest.mark.slow
def test_quality_falls_with_every_degradation(table):
    means = {d: mean(table, d, "quality") for d in DEGRADATIONS}
    assert all(v <= MIN_KIND for v in means.values()), means
    overall = np.mean([v["quality"] for d in DEGRADATIONS for v in table[d].values()])
    assert overall <= OVERALL, means


@pytest.mark.slow
def test_sharpness_and_brightness_track_their_ladders(table):
    for d in ("gaussian_blur", "motion_blur", "downscale"):
        assert mean(table, d, "sharpness") <= -0.98, (d, table[d])
    assert mean(table, "darken", "brightness") <= -0.98
    assert mean(table, "brighten", "brightness") >= 0.98


@pytest.mark.slow
def test_quality_falls_with_the_same_damage_made_another_way(sources, scorer):
    """Exposure in linear light, a veil over the whole frame, bloom, defocus, diagonal shake, pixelation: what
    a user's pipeline or another team's engine makes, never fitted on. classic/9 here: mean -0.85, weakest
    bloom -0.57 (warm light spilled over a dark photo reads as a better one), exposure up -0.71."""
    other = ladder_correlations(scorer, sources, ("quality",), OTHER_FORMS)
    means = {d: mean(other, d, "quality") for d in OTHER_FORMS}
    assert all(v <= MIN_KIND for v in means.values()), means
    assert np.mean(list(means.values())) <= OVERALL, means
