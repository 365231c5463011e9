"""Fitting the quality model on a small labelled table: it learns the table, holds every defect at a cost,
keeps folds apart, and its parameters survive the JSON round trip that ships them."""

import json

import pytest
import torch

from vc_curate.scorers.classic.fitting import cross_validated, fit, folds_by_image, opinion_ranks
from vc_curate.scorers.classic.quality import UNNATURALNESS, QualityModel, shipped_model

NAMES = ("detail", "tone", "defect:blur")


def table(n=120, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 3, generator=g)
    y = 40 + 30 * x[:, 0] - 10 * x[:, 1] + torch.randn(n, generator=g)
    return x, y


def test_fit_learns_a_small_table():
    x, y = table()
    model = fit(x, y, NAMES, alpha=1e-3, min_cost=0.0, kernel_lambda=None)
    pred = model.predict(x, NAMES)
    assert torch.corrcoef(torch.stack([pred, y]))[0, 1] > 0.99
    assert model.weight[0] > 0 > model.weight[1]


def test_every_defect_costs_at_least_the_minimum_even_where_the_table_disagrees():
    x, y = table()
    y = y + 5 * x[:, 2]  # in this table the "defect" comes with higher opinion
    model = fit(x, y, NAMES, min_cost=6.0)
    assert model.defect_cost("blur") == pytest.approx(6.0, rel=1e-4)
    lo, hi = x.clone(), x.clone()
    lo[:, 2], hi[:, 2] = 0.0, 1.0
    assert (model.predict(hi, NAMES) < model.predict(lo, NAMES)).all()


def test_a_defect_too_few_images_show_costs_its_minimum():
    x, y = table()
    x[:, 2] = 0.0
    x[:3, 2] = 1.0
    y[:3] -= 60  # three images with the defect, all far worse: enough to fit a large cost, not to trust it
    assert fit(x, y, NAMES, min_cost=6.0, min_support=3).defect_cost("blur") > 20
    assert fit(x, y, NAMES, min_cost=6.0, min_support=4).defect_cost("blur") == pytest.approx(6.0, rel=1e-4)


def test_the_target_is_the_ranks_of_opinion_spread_over_its_width_around_its_mean():
    y = torch.tensor([30.0, 90.0, 10.0, 30.0, 55.0], dtype=torch.float64)
    ranks = opinion_ranks(y)
    assert ranks[0] == ranks[3] and ranks[2] < ranks[0] < ranks[4] < ranks[1]
    torch.testing.assert_close(ranks, torch.tensor([35.0, 75.0, 11.0, 35.0, 59.0], dtype=torch.float64))
    assert float(ranks.mean()) == float(y.mean())


def test_unnaturalness_costs_whichever_way_the_scene_statistics_move():
    """Opinion peaks where the best photos' statistics sit and falls away on both sides: no slope can say so,
    the distance from the best photos' statistics does."""
    g = torch.Generator().manual_seed(4)
    x = torch.rand(200, 3, generator=g)
    y = 70 - 40 * (x[:, 0] - 0.5).abs() - 40 * (x[:, 1] - 0.5).abs() + torch.randn(200, generator=g)
    names = ("mscn_shape_s1", "h_mean_s1", "defect:blur")  # two scene statistics by their scorer names
    model = fit(x, y, names, min_cost=0.0, kernel_lambda=None)
    assert model.names[-1] == UNNATURALNESS and model.weight[-1] < 0
    centre = torch.tensor([[0.5, 0.5, 0.0]])
    for moved in ([0.1, 0.5, 0.0], [0.9, 0.5, 0.0], [0.5, 0.1, 0.0], [0.5, 0.9, 0.0], [0.5, 2.0, 0.0]):
        assert model.predict(torch.tensor([moved]), names) < model.predict(centre, names) - 5, moved
    again = QualityModel.from_dict(json.loads(json.dumps(model.to_dict())))
    torch.testing.assert_close(again.predict(x, names), model.predict(x, names), atol=1e-2, rtol=0)


def test_folds_are_disjoint_and_cover_every_image():
    folds = folds_by_image(103, 5, seed=1)
    together = torch.cat(folds)
    assert len(together) == 103 and len(set(together.tolist())) == 103


def test_cross_validation_never_predicts_an_image_it_was_fitted_on():
    x, _ = table()
    y = torch.randn(len(x), generator=torch.Generator().manual_seed(3))  # nothing to learn: only memory helps
    pred = cross_validated(x, y, NAMES, folds_by_image(len(y), 5), min_cost=0.0, kernel_lambda=1e-6)
    assert abs(torch.corrcoef(torch.stack([pred, y]))[0, 1]) < 0.3


def test_cross_validation_predicts_from_the_images_measured_another_way_where_given():
    x, y = table()
    folds = folds_by_image(len(y), 5)
    other = x.clone()
    other[:, 0] = 1 - x[:, 0]  # each image measured with its detail turned over: its prediction follows
    plain = cross_validated(x, y, NAMES, folds, alpha=1e-3, min_cost=0.0, kernel_lambda=None)
    turned = cross_validated(x, y, NAMES, folds, x_test=other, alpha=1e-3, min_cost=0.0, kernel_lambda=None)
    assert torch.corrcoef(torch.stack([plain, y]))[0, 1] > 0.9
    assert torch.corrcoef(torch.stack([turned, y]))[0, 1] < -0.5


def test_parameters_survive_json():
    x, y = table()
    model = fit(x, y, NAMES)
    again = QualityModel.from_dict(json.loads(json.dumps(model.to_dict())))
    torch.testing.assert_close(again.predict(x, NAMES), model.predict(x, NAMES), atol=1e-2, rtol=0)


def test_shipped_parameters_load_once_and_match_the_scorer_inputs():
    from vc_curate.scorers.classic import nss

    model = shipped_model()
    assert shipped_model() is model
    assert model.names[: len(nss.FEATURE_NAMES)] == nss.FEATURE_NAMES
    assert all(model.defect_cost(n[len("defect:"):]) > 0 for n in model.names if n.startswith("defect:"))
    assert model.scenes.columns == nss.FEATURE_NAMES and model.weight[model.names.index(UNNATURALNESS)] < 0
