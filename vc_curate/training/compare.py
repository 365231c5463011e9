"""Base model against base + adapter on one labels table: the same agreement figures `vc-curate evaluate`
prints, for both, so a fine-tune's gain (or loss) is read off side by side."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vc_curate.evaluate import Evaluation, evaluate, read_labels
from vc_curate.record import records_to_table
from vc_curate.registry import load_scorer


@dataclass(slots=True)
class Comparison:
    base: Evaluation
    tuned: Evaluation


def compare_adapter(labels_path: str, model: str, adapter: str, *, group_by: str | None = None,
                    resamples: int = 1000, seed: int = 0, **scorer_options) -> Comparison:
    """Score every labelled image with `model` and with `model` + `adapter` (one model in memory at a
    time) and evaluate both against the labels."""
    labels = read_labels(labels_path)
    uris = [u for u in labels.column("uri").to_pylist() if u]
    results = []
    for current in (None, adapter):
        scorer = load_scorer("lmm", model=model, adapter=current, **scorer_options)
        scores = records_to_table(scorer.score(uris))
        del scorer
        results.append(evaluate(scores, labels, group_by=group_by, resamples=resamples, seed=seed)[0])
    return Comparison(*results)


def format_comparison(comparison: Comparison) -> str:
    """One line per figure: field vs label, group, metric, base, fine-tuned and the change."""
    tuned = {(m.field, m.label, m.group, m.metric): m for m in comparison.tuned.metrics}
    header = f"{'score vs label':<28} {'group':<20} {'metric':<9} {'n':>5} {'base':>8} {'tuned':>8} {'change':>8}"
    lines = [header, "-" * len(header)]
    for m in comparison.base.metrics:
        t = tuned.get((m.field, m.label, m.group, m.metric))
        after = t.value if t is not None else math.nan
        lines.append(f"{m.field + ' vs ' + m.label:<28} {m.group:<20} {m.metric:<9} {m.n:>5} {m.value:>+8.3f} "
                     f"{after:>+8.3f} {after - m.value:>+8.3f}")
    return "\n".join(lines)
