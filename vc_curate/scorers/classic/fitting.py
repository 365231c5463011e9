"""Fitting the quality model to human opinion: the classic scorer's inputs for labelled images, a ridge
regression whose defect weights are held at a minimum cost, and cross-validation with folds by image.
Used by benchmarks/fit_classic.py (which writes the shipped parameters) and benchmarks/agreement_classic.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch

from vc_curate.decode import decode_bytes
from vc_curate.evaluate.stats import rankdata
from vc_curate.fields import DEFECTS
from vc_curate.scorers.classic.nss import FEATURE_NAMES
from vc_curate.scorers.classic.quality import DIRECTIONS, NaturalScenes, QualityModel, design, kernel_columns

# quality points that each full-strength defect costs at least, so that quality falls with each; noise,
# compression and clipping need more, as scene statistics partly read noise and blocking as detail and a
# brighter photo as a better one (chosen on generated ladders; livec-dev barely moved, see docs/classic.md)
MIN_DEFECT_COST = {d: 20.0 for d in DEFECTS} | {"noise": 45.0, "compression": 35.0, "clipped-highlights": 30.0}
ALPHA = 30.0  # ridge penalty on the standardised weights
MIN_SUPPORT = 10  # fitted images showing a defect (amount >= 0.1) below which its cost stays at the minimum
KERNEL_GAMMA = 1.0  # Gaussian kernel width, per input
KERNEL_LAMBDA = 0.5  # kernel ridge penalty
BEST_SHARE = 0.25  # the share of fitted photos, best rated first, whose scene statistics count as natural
SHRINKAGE = 0.1  # of their covariance towards the identity: about 150 photos, 39 statistics


def inputs_of(scorer, paths: Iterable[Path], batch_size: int = 16) -> tuple[torch.Tensor, tuple[str, ...]]:
    """The model's inputs (N, F) for image files, measured exactly as the scorer measures them."""
    rows, names, batch = [], (), []

    def flush() -> None:
        nonlocal names
        x, names = design(scorer.measure(batch))
        rows.append(x)
        batch.clear()

    for path in paths:
        batch.append(scorer.prepare(decode_bytes(Path(path).read_bytes(), scorer.decode_options())))
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    return torch.cat(rows), names


def opinion_ranks(y: torch.Tensor) -> torch.Tensor:
    """Each image's rank among `y`, spread evenly over a range as wide as theirs and centred on their mean (ties
    share their mean rank): the target the model is fitted to. Agreement is judged on ranks, and the few images
    people rated at the extremes no longer pull the fit towards them (livec-dev +0.012 over 10 fold seeds,
    agiqa3k-dev +0.018). Centred on the mean opinion, quality stays on the level people scored at: centred on
    the middle of the range instead, the median livec-dev photo scored 50 where people's median is 59."""
    ranks = torch.from_numpy(rankdata(y.cpu().numpy())).to(y)  # 1..n
    return y.mean() + ((ranks - 0.5) / len(y) - 0.5) * (y.max() - y.min())


def natural_scenes(x: torch.Tensor, y: torch.Tensor, names: tuple[str, ...]) -> NaturalScenes | None:
    """The multivariate Gaussian of the scene statistics (columns named in nss.FEATURE_NAMES) of the best-rated
    BEST_SHARE of the images; None where `names` holds none."""
    columns = tuple(n for n in names if n in FEATURE_NAMES)
    if not columns:
        return None
    stats = x[:, [names.index(c) for c in columns]].double()
    best = stats[y.double() >= torch.quantile(y.double(), 1 - BEST_SHARE)]
    mean, scale = best.mean(0), stats.std(0).clamp_min(1e-6)
    cov = (1 - SHRINKAGE) * torch.cov(((best - mean) / scale).T) + SHRINKAGE * torch.eye(len(columns))
    return NaturalScenes(columns, mean.float(), scale.float(), torch.linalg.inv(cov).float())


def fit(x: torch.Tensor, y: torch.Tensor, names: tuple[str, ...], alpha: float = ALPHA,
        min_cost: float | dict[str, float] = MIN_DEFECT_COST, kernel_gamma: float = KERNEL_GAMMA,
        kernel_lambda: float | None = KERNEL_LAMBDA, min_support: int = MIN_SUPPORT) -> QualityModel:
    """Ridge regression of `y` on standardised `x`, in which every `defect:` input costs at least `min_cost`
    points, then kernel ridge regression of what remains (none when `kernel_lambda` is None). A defect that
    fewer than `min_support` of the images show costs exactly its minimum: so few cannot tell what it costs
    (one washed-out photo among livec-dev's 609 had made over-exposure cost 53 points, and a white product
    shot lose everything).

    Measures of a defect (`DIRECTIONS`) may only cost quality too, unnaturalness among them (`natural_scenes`,
    fitted first). Weights that the fit leaves outside their bounds are fixed at the bound (an active set) and
    the rest refitted, until none is. The kernel's width is `kernel_gamma` over the number of inputs.
    """
    scenes = natural_scenes(x, y, names)
    if scenes is not None:
        x, names = scenes.with_distance(x.float(), names)
    x, y = x.double(), opinion_ranks(y.double())
    mean = x.mean(0)
    scale = x.std(0).clamp_min(1e-6)
    z = (x - mean) / scale
    upper = torch.full((x.shape[1],), float("inf"), dtype=torch.float64)
    lower = -upper
    rare = torch.zeros(x.shape[1], dtype=torch.bool)
    for i, n in enumerate(names):
        if n.startswith("defect:"):
            cost = min_cost.get(n[len("defect:"):], 0.0) if isinstance(min_cost, dict) else min_cost
            upper[i] = -cost * scale[i]  # standardised weight at the minimum cost
            rare[i] = int((x[:, i] >= 0.1).sum()) < min_support
        elif DIRECTIONS.get(n, 0) < 0:
            upper[i] = 0.0
        elif DIRECTIONS.get(n, 0) > 0:
            lower[i] = 0.0
    fixed = rare.clone()
    at = torch.where(rare, upper, torch.zeros_like(upper))  # the bound a fixed weight sits at
    weight = torch.zeros(x.shape[1], dtype=torch.float64)
    while True:
        free = ~fixed
        target = y - y.mean() - z[:, fixed] @ at[fixed]
        zf = z[:, free]
        gram = zf.T @ zf + alpha * torch.eye(int(free.sum()), dtype=torch.float64)
        weight[free] = torch.linalg.solve(gram, zf.T @ target)
        weight[fixed] = at[fixed]
        over, under = free & (weight > upper), free & (weight < lower)
        if not (over.any() or under.any()):
            break
        at = torch.where(over, upper, torch.where(under, lower, at))
        fixed |= over | under
    bias = float(y.mean())  # z has zero mean, so the intercept is the mean opinion
    seen = z[:, kernel_columns(names)]
    centres = seen[:0]
    coef = torch.zeros(0, dtype=torch.float64)
    gamma = kernel_gamma / seen.shape[1]
    if kernel_lambda is not None:
        residual = y - bias - z @ weight
        gram = torch.exp(-gamma * torch.cdist(seen, seen) ** 2)
        coef = torch.linalg.solve(gram + kernel_lambda * torch.eye(len(z), dtype=torch.float64), residual)
        centres = seen
    return QualityModel(tuple(names), mean.float(), scale.float(), weight.float(), bias, centres.float(),
                        coef.float(), gamma, x.amin(0).float(), x.amax(0).float(), scenes)


def folds_by_image(n: int, k: int, seed: int = 0) -> list[torch.Tensor]:
    """k disjoint test folds of image indices: no image is fitted and measured in the same fold."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return [order[i::k] for i in range(k)]


def cross_validated(x: torch.Tensor, y: torch.Tensor, names: tuple[str, ...], folds: list[torch.Tensor],
                    x_test: torch.Tensor | None = None, **fit_options) -> torch.Tensor:
    """Each image's prediction from a model fitted without its fold, made from its row of `x_test` where given
    (the same images measured another way, e.g. at another working size) and of `x` otherwise."""
    x_test = x if x_test is None else x_test
    out = torch.empty(len(y))
    for test in folds:
        train = torch.ones(len(y), dtype=torch.bool)
        train[test] = False
        model = fit(x[train], y[train], names, **fit_options)
        out[test] = model.predict(x_test[test], names).float()
    return out
