"""Agreement of a scores table with a labels table: per field, overall and per group, with bootstrap
confidence intervals, and the metrics the table cannot support listed with the reason.

Which metrics a field gets follows its declared kind (`vc_curate.fields`): grades and amounts are correlated
with the labels, probabilities are scored as classifiers (accuracy, ROC AUC)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pyarrow as pa

from vc_curate.columns import float_column
from vc_curate.evaluate.labels import LabelsError, resolve_uri
from vc_curate.evaluate.stats import accuracy, bootstrap_ci, pearson, roc_auc, spearman
from vc_curate.fields import AMOUNT, FIELDS, GRADE, PROBABILITY

OVERALL = "all"
CORRELATIONS = {"spearman": spearman, "pearson": pearson}
CLASSIFICATION = {"accuracy": accuracy, "roc_auc": roc_auc}
MIN_PAIRS = 3


@dataclass(slots=True)
class Metric:
    """One figure: `metric` of score `field` against labels column `label` over `n` images of `group`."""

    group: str
    field: str
    label: str
    metric: str
    n: int
    value: float
    low: float
    high: float


@dataclass(slots=True)
class Skipped:
    """A metric the tables cannot support, and why."""

    group: str
    field: str
    label: str
    metric: str
    reason: str


@dataclass(slots=True)
class Joined:
    """Labelled images that have a score record, aligned row by row."""

    uri: list[str]
    labels: dict[str, np.ndarray]  # label column -> float values (NaN where missing)
    scores: dict[str, np.ndarray]  # score field -> float values (NaN for error records and nulls)
    groups: np.ndarray | None  # group of each row (strings), or None without grouping
    score_errors: int  # matched images whose score record is an error
    unmatched: list[str]  # labelled images with no score record
    unlabelled: int  # scored records (not errors) whose image has no label


@dataclass(slots=True)
class Evaluation:
    scores_rows: int
    labels_rows: int
    matched: int
    score_errors: int
    unmatched: int
    unlabelled: int
    group_by: str | None
    groups: list[str]
    resamples: int
    level: float
    metrics: list[Metric] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def field_pairs(labels: pa.Table) -> list[tuple[str, str]]:
    """(score field, labels column) pairs the labels table has: quality vs mos, then every other numeric
    scored field (attributes, ai_generated) that has a labels column of its name."""
    pairs = [("quality", "mos")]
    pairs += [(name, name) for name, spec in FIELDS.items()
              if name != "quality" and spec.kind in (GRADE, AMOUNT, PROBABILITY) and name in labels.column_names]
    return pairs


def _numeric(table: pa.Table, name: str, what: str) -> np.ndarray:
    try:
        return float_column(table, name)
    except ValueError as exc:
        raise LabelsError(f"{what} {exc}") from None


def join(scores: pa.Table, labels: pa.Table, group_by: str | None = None) -> Joined:
    """Match labels rows to score records on the resolved image path (see `resolve_uri`).

    Where several records share an image (a resumed run), a successful one wins over an error.
    `group_by` names a labels column (or, failing that, a column carried in the scores table).
    """
    if "uri" not in scores.column_names:
        raise LabelsError("the scores table has no `uri` column; is it the output of `vc-curate score`?")
    errors = scores.column("error").to_pylist() if "error" in scores.column_names else [None] * len(scores)
    index: dict[str, int] = {}
    for row, uri in enumerate(scores.column("uri").to_pylist()):
        key = resolve_uri(uri)
        if key not in index or errors[row] is None:
            index[key] = row
    label_keys = labels.column("uri").to_pylist()
    labelled = set(label_keys)
    unlabelled = sum(errors[row] is None and key not in labelled for key, row in index.items())
    label_rows = [row for row, key in enumerate(label_keys) if key in index]
    score_rows = [index[label_keys[row]] for row in label_rows]
    unmatched = [key for key in label_keys if key not in index]
    picked_labels = labels.take(pa.array(label_rows, pa.int64()))
    picked_scores = scores.take(pa.array(score_rows, pa.int64()))

    pairs = field_pairs(labels)
    label_values = {label: _numeric(picked_labels, label, "labels") for _, label in pairs}
    score_values = {}
    for name, _ in pairs:
        if name in picked_scores.column_names:
            score_values[name] = _numeric(picked_scores, name, "scores")
        else:
            score_values[name] = np.full(len(score_rows), np.nan)
    groups = None
    if group_by is not None:
        source = picked_labels if group_by in labels.column_names else picked_scores
        groups = np.array(["(none)" if v is None else str(v) for v in source.column(group_by).to_pylist()],
                          dtype=object)
    return Joined(
        uri=picked_labels.column("uri").to_pylist(),
        labels=label_values,
        scores=score_values,
        groups=groups,
        score_errors=sum(errors[row] is not None for row in score_rows),
        unmatched=unmatched,
        unlabelled=unlabelled,
    )


def choose_group_by(scores: pa.Table, labels: pa.Table, group_by: str | None) -> str | None:
    """`group_by` if either table has it (else a LabelsError), `dataset` where labels have it, else None."""
    if group_by is None:
        return "dataset" if "dataset" in labels.column_names else None
    if group_by in labels.column_names or group_by in scores.column_names:
        return group_by
    raise LabelsError(f"no column `{group_by}` to group by; the labels table has "
                      f"{', '.join(c for c in labels.column_names if c != 'uri')}")


def evaluate(scores: pa.Table, labels: pa.Table, *, group_by: str | None = None, resamples: int = 1000,
             level: float = 0.95, seed: int = 0) -> tuple[Evaluation, Joined]:
    """Every supported metric, overall and per group; `resamples=0` leaves the intervals out (NaN)."""
    group_by = choose_group_by(scores, labels, group_by)
    joined = join(scores, labels, group_by)
    if not joined.uri:
        example = labels.column("uri")[0].as_py() if len(labels) else "(empty)"
        scored = resolve_uri(scores.column("uri")[0].as_py()) if len(scores) else "(empty)"
        raise LabelsError(f"no labelled image has a score record (matched on the resolved path; labels have "
                          f"e.g. {example}, scores have e.g. {scored})")
    groups = sorted(set(joined.groups)) if joined.groups is not None else []
    result = Evaluation(scores_rows=len(scores), labels_rows=len(labels), matched=len(joined.uri),
                        score_errors=joined.score_errors, unmatched=len(joined.unmatched),
                        unlabelled=joined.unlabelled, group_by=group_by,
                        groups=groups, resamples=resamples, level=level)
    selections = [(OVERALL, np.ones(len(joined.uri), dtype=bool))]
    selections += [(group, joined.groups == group) for group in groups]
    for name, label in field_pairs(labels):
        for group, selected in selections:
            x = joined.scores[name][selected]
            y = joined.labels[label][selected]
            both = np.isfinite(x) & np.isfinite(y)
            _measure(result, group, name, label, x[both], y[both], seed)
    return result, joined


def _measure(result: Evaluation, group: str, name: str, label: str, x: np.ndarray, y: np.ndarray,
             seed: int) -> None:
    def skip(metrics, reason: str) -> None:
        result.skipped.extend(Skipped(group, name, label, metric, reason) for metric in metrics)

    def add(metric: str, fn, truth) -> None:
        value = float(fn(x, truth))
        low, high = (bootstrap_ci(fn, x, truth, resamples=result.resamples, level=result.level, seed=seed)
                     if result.resamples > 0 else (float("nan"), float("nan")))
        result.metrics.append(Metric(group, name, label, metric, len(x), value, low, high))

    if FIELDS[name].kind == PROBABILITY:
        if len(x) == 0:
            skip(CLASSIFICATION, f"no image has both a {name} score and label (the scorer found no "
                                 "provenance evidence)")
            return
        if not np.isin(y, (0.0, 1.0)).all():
            skip(CLASSIFICATION, "labels must be 0 (photograph) or 1 (AI-generated)")
            return
        truth = y.astype(bool)
        add("accuracy", accuracy, truth)
        if truth.all() or not truth.any():
            skip(("roc_auc",), f"needs both classes in the labels; all {len(y)} are {int(y[0])}")
        else:
            add("roc_auc", roc_auc, truth)
        return
    if len(x) < MIN_PAIRS:
        skip(CORRELATIONS, f"too few images with both values (n={len(x)})")
    elif np.ptp(x) == 0:
        skip(CORRELATIONS, f"the scores are all {x[0]:g}")
    elif np.ptp(y) == 0:
        skip(CORRELATIONS, f"the labels are all {y[0]:g}")
    else:
        for metric, fn in CORRELATIONS.items():
            add(metric, fn, y)
