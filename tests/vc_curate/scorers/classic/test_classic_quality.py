"""The model's value put on 0..100: unchanged in the middle, eased towards the bounds without ties."""

import torch

from vc_curate.scorers.classic.quality import EASED, within_bounds


def test_quality_keeps_the_order_of_images_beyond_the_bounds():
    value = torch.linspace(-60, 160, 2201, dtype=torch.float64)
    q = within_bounds(value)
    assert (q.diff() > 0).all() and q.min() > 0 and q.max() < 100
    middle = (value >= EASED) & (value <= 100 - EASED)
    assert torch.equal(q[middle], value[middle])


def test_easing_joins_the_middle_without_a_step():
    for edge in (EASED, 100 - EASED):
        at = torch.tensor([edge - 1e-6, edge, edge + 1e-6], dtype=torch.float64)
        q = within_bounds(at)
        torch.testing.assert_close(q.diff() / 1e-6, torch.ones(2, dtype=torch.float64), atol=1e-4, rtol=0)
