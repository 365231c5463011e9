"""The readable table `vc-curate evaluate` prints."""

from __future__ import annotations

import math

from vc_curate.evaluate.agreement import OVERALL, Evaluation
from vc_curate.wording import plural

HEADINGS = {"spearman": "SRCC", "pearson": "PLCC", "accuracy": "accuracy", "roc_auc": "ROC AUC"}
TABLES = (("spearman", "pearson"), ("accuracy", "roc_auc"))


def _figure(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isnan(low):
        return f"{value:+.3f}"
    return f"{value:+.3f} [{low:+.2f}, {high:+.2f}]"



def format_evaluation(result: Evaluation, scores_name: str, labels_name: str) -> str:
    lines = [f"Agreement of {scores_name} with {labels_name}"]
    has = "has" if result.matched == 1 else "have"
    lines.append(f"  {result.matched:,} of {plural(result.labels_rows, 'labelled image')} {has} a score record"
                 + (f" ({result.score_errors:,} of them {'an error' if result.score_errors == 1 else 'errors'}, "
                    "left out)" if result.score_errors else "")
                 + (f"; {result.unmatched:,} {'has' if result.unmatched == 1 else 'have'} none"
                    if result.unmatched else "") + ".")
    lines.append(f"  {plural(result.unlabelled, 'scored image')} {'has' if result.unlabelled == 1 else 'have'} "
                 "no label (left out).")
    if result.group_by:
        lines.append(f"  Per group of `{result.group_by}` ({plural(len(result.groups), 'group')}).")
    if result.resamples:
        lines.append(f"  [low, high]: {result.level:.0%} percentile intervals from "
                     f"{plural(result.resamples, 'bootstrap resample')}.")
    group_width = max([len("group")] + [len(g) + 2 for g in result.groups])
    for metrics in TABLES:
        rows: dict[tuple[str, str, str], dict[str, str]] = {}
        sizes: dict[tuple[str, str, str], int] = {}
        for m in result.metrics:
            if m.metric in metrics:
                key = (m.field, m.label, m.group)
                rows.setdefault(key, {})[m.metric] = _figure(m.value, m.low, m.high)
                sizes[key] = m.n
        if not rows:
            continue
        pair_width = max(len(f"{f} vs {lab}") for f, lab, _ in rows)
        header = f"{'score vs label':<{pair_width}}  {'group':<{group_width}}  {'n':>6}"
        header += "".join(f"  {HEADINGS[name]:<24}" for name in metrics)
        lines += ["", header.rstrip(), "-" * len(header.rstrip())]
        previous = None
        for (name, label, group), figures in rows.items():
            pair = f"{name} vs {label}" if (name, label) != previous else ""
            previous = (name, label)
            shown = group if group == OVERALL else f"  {group}"
            line = f"{pair:<{pair_width}}  {shown:<{group_width}}  {sizes[(name, label, group)]:>6}"
            line += "".join(f"  {figures.get(metric, '-'):<24}" for metric in metrics)
            lines.append(line.rstrip())
    if result.skipped:
        lines.append("")
        merged: dict[tuple[str, str, str, str], list[str]] = {}
        for s in result.skipped:
            merged.setdefault((s.field, s.label, s.group, s.reason), []).append(HEADINGS[s.metric])
        for (name, label, group, reason), metrics in merged.items():
            lines.append(f"skipped {' and '.join(metrics)} of {name} vs {label} ({group}): {reason}")
    return "\n".join(lines)
