"""The losses of a training step: answer tokens, rating-word targets and the relativity fidelity loss."""

from __future__ import annotations

import math

import torch

from vc_curate.scorers.lmm.prompts import LEVEL_VALUES
from vc_curate.training.sequences import IGNORE, Turn

EPS = 1e-6


def answer_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor | None:
    """Mean cross-entropy over every answer token of the batch; None when no row has an answer."""
    if not (labels != IGNORE).any():
        return None
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)


def rating_loss(logits: torch.Tensor, turns: list[Turn]) -> torch.Tensor | None:
    """Cross-entropy of the soft targets over each turn's choice words (over the whole vocabulary, so the
    probability moves onto those words); None when no turn has a target."""
    rows = [i for i, t in enumerate(turns) if t.target]
    if not rows:
        return None
    logp = logits[:, 0].log_softmax(-1)
    losses = [-(torch.tensor(turns[i].target, device=logp.device) * logp[i, list(turns[i].choices)]).sum()
              for i in rows]
    return torch.stack(losses).mean()


def level_moments(logits: torch.Tensor, rows: list[int], turns: list[Turn]) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and variance (on 0..1) of the level-word distribution the scorer reads, per row."""
    values = torch.tensor(LEVEL_VALUES, device=logits.device) / 100.0
    probs = torch.stack([logits[i, 0, list(turns[i].choices)].softmax(-1) for i in rows])
    mean = probs @ values
    var = probs @ values.square() - mean.square()
    return mean, var.clamp(min=0.0)


def fidelity_loss(logits: torch.Tensor, turns: list[Turn], pairs: list[tuple[int, int, float]]) -> torch.Tensor | None:
    """Fidelity between the model's preference probability for each pair, Phi((mu_a - mu_b) / sqrt(var_a +
    var_b)) from its two rating distributions, and the human preference probability."""
    if not pairs:
        return None
    mean_a, var_a = level_moments(logits, [a for a, _, _ in pairs], turns)
    mean_b, var_b = level_moments(logits, [b for _, b, _ in pairs], turns)
    z = (mean_a - mean_b) / torch.sqrt(var_a + var_b + EPS)
    p = 0.5 * (1.0 + torch.erf(z / math.sqrt(2.0)))
    q = torch.tensor([h for _, _, h in pairs], device=logits.device, dtype=p.dtype)
    return (1.0 - torch.sqrt(p * q + EPS) - torch.sqrt((1.0 - p) * (1.0 - q) + EPS)).mean()
