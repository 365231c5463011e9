"""The classic scorer through the public API: sane scores, odd images, defects ranked, critiques."""

import io

import numpy as np
import pytest
import skimage.data
from PIL import Image, ImageFilter

import vc_curate


def png(arr) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(arr, dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def scorer():
    return vc_curate.load_scorer("classic", device="cpu")


def test_scores_in_range_with_critique_for_odd_images(scorer):
    photo = skimage.data.astronaut()
    inputs = [("photo", png(photo)), ("black", png(np.zeros((64, 64, 3)))),
              ("one", png(np.full((1, 1, 3), 128))), ("strip", png(np.random.default_rng(0).integers(0, 255, (4, 800, 3)))),
              ("white", png(np.full((40, 30, 3), 255)))]
    records = scorer.score(inputs)
    assert [r.uri for r in records] == [u for u, _ in inputs]
    for r in records:
        assert r.error is None, r.error
        for f in ("quality", "brightness", "colorfulness", "contrast", "sharpness", "noisiness"):
            assert 0 <= getattr(r, f) <= 100, (r.uri, f)
        assert r.critique and r.critique.endswith(".")
    assert records[1].brightness < 1 and "dark" in records[1].critique
    assert records[0].quality > max(r.quality for r in records[1:])


def test_each_defect_costs_quality_and_shows_in_critique(scorer):
    photo = Image.fromarray(skimage.data.coffee())
    arr = np.asarray(photo, np.float32)
    noisy = arr + np.random.default_rng(1).normal(0, 25, arr.shape)
    variants = {
        "clean": png(arr),
        "blurred": png(np.asarray(photo.filter(ImageFilter.GaussianBlur(4)))),
        "noisy": png(np.clip(noisy, 0, 255)),
        "dark": png(arr * 0.3),
    }
    recs = {r.uri: r for r in scorer.score(list(variants.items()))}
    for name in ("blurred", "noisy", "dark"):
        assert recs[name].quality < recs["clean"].quality - 10, (name, recs[name].quality, recs["clean"].quality)
    assert recs["blurred"].sharpness < recs["clean"].sharpness
    assert recs["noisy"].noisiness > recs["clean"].noisiness
    assert "blurry" in recs["blurred"].critique or "soft" in recs["blurred"].critique
    assert "noise" in recs["noisy"].critique
    assert "dark" in recs["dark"].critique


def test_batched_scores_match_single_image_scores(scorer):
    """NaN padding makes a batch of different sizes score each image as if alone."""
    images = [("a", png(skimage.data.chelsea())), ("b", png(skimage.data.rocket())), ("c", png(skimage.data.coffee()))]
    together = scorer.score(images, batch_size=3)
    alone = [scorer.score([item], batch_size=1)[0] for item in images]
    for t, a in zip(together, alone):
        assert t.quality == pytest.approx(a.quality, abs=1e-3)
        assert t.sharpness == pytest.approx(a.sharpness, abs=1e-3)
