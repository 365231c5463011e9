"""The printed table: columns line up with and without groups; skipped metrics are said to be."""

from __future__ import annotations

from vc_curate.evaluate.agreement import Evaluation, Metric, Skipped
from vc_curate.evaluate.text import format_evaluation


def evaluation(groups: list[str]) -> Evaluation:
    result = Evaluation(scores_rows=9, labels_rows=9, matched=8, score_errors=1, unmatched=1, unlabelled=2,
                        group_by="generator" if groups else None, groups=groups, resamples=100, level=0.95)
    for group in ["all"] + groups:
        result.metrics += [Metric(group, "quality", "mos", "spearman", 8, 0.5, 0.1, 0.8),
                           Metric(group, "quality", "mos", "pearson", 8, -0.25, -0.6, 0.2)]
    result.skipped.append(Skipped("all", "ai_generated", "ai_generated", "roc_auc", "needs both classes"))
    return result


def test_columns_line_up_with_and_without_groups():
    for groups in ([], ["a_long_generator_name", "b"]):
        lines = format_evaluation(evaluation(groups), "s.parquet", "l.csv").splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("score vs label"))
        n_end = lines[header].index(" n ") + 2
        rows = lines[header + 2: header + 3 + len(groups)]
        assert all(row[n_end - 1] == "8" and row[n_end] == " " for row in rows)
        assert all(row.index("+0.500 [+0.10, +0.80]") == lines[header].index("SRCC") for row in rows)
        assert "(1 of them an error, left out); 1 has none." in lines[1]
        assert lines[2] == "  2 scored images have no label (left out)."
        assert lines[-1] == "skipped ROC AUC of ai_generated vs ai_generated (all): needs both classes"


def test_counts_read_right_for_one():
    result = evaluation(["only"])
    result.matched, result.labels_rows, result.score_errors, result.unmatched, result.unlabelled = 1, 1, 0, 0, 1
    result.resamples = 1
    text = format_evaluation(result, "s", "l")
    assert "1 of 1 labelled image has a score record." in text and "1 scored image has no label" in text
    assert "(1 group)" in text and "from 1 bootstrap resample." in text
