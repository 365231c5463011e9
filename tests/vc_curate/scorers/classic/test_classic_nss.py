"""The natural-scene statistics: generalised-Gaussian fits recover known shapes, padding is ignored."""

import pytest
import torch
from scipy import stats

from vc_curate.scorers.classic import nss


@pytest.mark.parametrize("shape", [0.8, 1.0, 2.0, 3.0])
def test_ggd_recovers_the_shape_of_samples(shape):
    x = torch.from_numpy(stats.gennorm.rvs(shape, size=200_000, random_state=0)).float()[None]
    fitted, var = nss.ggd(x)
    assert float(fitted) == pytest.approx(shape, rel=0.05)
    assert float(var) == pytest.approx(float(x.var()), rel=0.02)


def test_aggd_sees_lopsided_samples_and_ignores_nan():
    rng = torch.Generator().manual_seed(0)
    g = torch.randn(100_000, generator=rng).abs()
    left = torch.rand(100_000, generator=rng) < 0.8  # an AGGD's sides weigh as their scales: 2 to 0.5
    x = torch.where(left, -2 * g, 0.5 * g)
    padded = torch.cat([x, torch.full((5000,), float("nan"))])[None]
    shape, mean, left, right = nss.aggd(padded)
    assert float(shape) == pytest.approx(2.0, rel=0.05)
    assert float(left) == pytest.approx(4.0, rel=0.03) and float(right) == pytest.approx(0.25, rel=0.03)
    assert float(mean) < 0


def test_features_of_a_padded_image_match_the_image_alone():
    y = torch.rand(1, 1, 40, 50, generator=torch.Generator().manual_seed(1))
    alone = torch.full((1, 1, 56, 66), float("nan"))
    alone[..., 8:48, 8:58] = y
    padded = torch.full((1, 1, 80, 90), float("nan"))
    padded[..., 8:48, 8:58] = y
    a, b = nss.features(alone), nss.features(padded)
    assert a.shape == (1, len(nss.FEATURE_NAMES))
    assert torch.isfinite(a).all()
    torch.testing.assert_close(a, b)


def test_blur_moves_the_mscn_shape():
    sharp = torch.rand(1, 1, 128, 128, generator=torch.Generator().manual_seed(2))
    blurred = torch.nn.functional.avg_pool2d(sharp, 5, stride=1, padding=2)
    i = nss.FEATURE_NAMES.index("mscn_shape_s1")
    assert nss.features(blurred)[0, i] != pytest.approx(float(nss.features(sharp)[0, i]), rel=0.05)


def test_the_noise_floor_keeps_noise_from_reading_as_detail():
    """Given the noise sigma, the statistics of a noisy photo move less from its clean copy's; a clean photo's
    (noise about BRISQUE's stabiliser) do not move."""
    import skimage.data

    clean = torch.from_numpy(skimage.data.camera()).float()[None, None] / 255
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(3)) * 12 / 255
    noisy = (clean + noise).clamp(0, 1)
    sigma = torch.tensor([12 / 255])
    base, plain, floored = nss.features(clean), nss.features(noisy), nss.features(noisy, sigma)
    # noise makes the coefficients more Gaussian and decorrelates neighbours, as detail does
    for name in ("mscn_shape_s1", "mscn_shape_s2", "h_mean_s1", "v_mean_s1", "h_shape_s2"):
        i = nss.FEATURE_NAMES.index(name)
        assert abs(floored[0, i] - base[0, i]) < 0.6 * abs(plain[0, i] - base[0, i]), name
    torch.testing.assert_close(nss.features(clean, torch.tensor([0.4 / 255])), base)


def test_colour_detail_is_none_on_grey_rises_with_colour_noise_and_ignores_padding():
    from vc_curate.scorers.classic import measures

    gen = torch.Generator().manual_seed(4)
    grey = torch.rand(1, 1, 40, 50, generator=gen).expand(1, 3, 40, 50)
    tinted = (grey + 0.05 * torch.randn(1, 3, 40, 50, generator=gen)).clamp(0, 1)
    detail = {}
    for name, img in (("grey", grey), ("tinted", tinted)):
        alone = torch.full((1, 3, 56, 66), float("nan"))  # the margin every image gets, as in a batch of one
        alone[..., 8:48, 8:58] = img
        padded = torch.full((1, 3, 80, 90), float("nan"))
        padded[..., 8:48, 8:58] = img
        detail[name] = nss.mean_local_sigma(measures.opponent(alone))
        torch.testing.assert_close(nss.mean_local_sigma(measures.opponent(padded)), detail[name])
    assert detail["grey"].shape == (1, 2)
    assert float(detail["grey"].abs().max()) < 1e-3
    assert (detail["tinted"] > 0.02).all()
