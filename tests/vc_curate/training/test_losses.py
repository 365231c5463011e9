"""The fidelity loss between the model's and people's preference, and the rating-word cross-entropy."""

from __future__ import annotations

import math

import torch

from vc_curate.training.losses import fidelity_loss, level_moments, rating_loss
from vc_curate.training.sequences import Turn

WORDS = (5, 6, 7, 8, 9)  # token ids of the five level words in a 12-token vocabulary


def logits_for(levels: list[list[float]]) -> torch.Tensor:
    """(rows, 1, 12) logits whose softmax over WORDS is `levels` (and near zero elsewhere)."""
    out = torch.full((len(levels), 1, 12), -30.0)
    for i, probs in enumerate(levels):
        out[i, 0, list(WORDS)] = torch.log(torch.tensor(probs).clamp(min=1e-9))
    return out


def test_level_moments_match_the_scorers_expected_value():
    turns = [Turn((0,), "q", choices=WORDS)] * 2
    mean, var = level_moments(logits_for([[1, 0, 0, 0, 0], [0, 0, 0.5, 0.5, 0]]), [0, 1], turns)
    assert mean.tolist() == [1.0, 0.375] and var[0] == 0 and math.isclose(var[1], 0.015625)


def test_fidelity_is_zero_when_the_model_agrees_with_people_and_grows_when_it_disagrees():
    turns = [Turn((0,), "q", choices=WORDS)] * 2
    logits = logits_for([[0.1, 0.6, 0.2, 0.1, 0.0], [0.0, 0.1, 0.3, 0.4, 0.2]])  # first rated higher
    mean, var = level_moments(logits, [0, 1], turns)
    model_p = 0.5 * (1 + math.erf(float(mean[0] - mean[1]) / math.sqrt(2 * float(var.sum()))))
    assert model_p > 0.8
    agree = fidelity_loss(logits, turns, [(0, 1, model_p)])
    unsure = fidelity_loss(logits, turns, [(0, 1, 0.5)])
    disagree = fidelity_loss(logits, turns, [(0, 1, 0.01)])
    assert agree < 0.005 < unsure < disagree
    logits.requires_grad_(True)
    fidelity_loss(logits, turns, [(0, 1, 0.01)]).backward()
    grad = logits.grad[:, 0, list(WORDS)]
    assert grad[0, 0] > 0 and grad[1, 0] < 0  # descent moves the first image down, the second up


def test_rating_loss_is_the_soft_cross_entropy_over_the_words():
    turns = [Turn((0,), "q", choices=WORDS, target=(0.0, 0.5, 0.5, 0.0, 0.0))]
    logits = logits_for([[0.1, 0.4, 0.4, 0.05, 0.05]])
    assert math.isclose(float(rating_loss(logits, turns)), -math.log(0.4), rel_tol=1e-5)
    assert rating_loss(logits, [Turn((0,), "q", choices=WORDS)]) is None
