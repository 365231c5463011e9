"""Joining labels with real classic-scorer records; the figures overall, per group and for authenticity."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats as reference

from tests.vc_curate.evaluate.scored import SD_WEBUI_PNG, camera_jpeg, make_images, score_to_parquet
from vc_curate.evaluate import LabelsError, evaluate, read_labels


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eval")
    paths = make_images(folder / "images", 12)
    for i in range(3):
        (folder / "images" / f"camera{i}.jpg").write_bytes(camera_jpeg(i))
    (folder / "images" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    table = score_to_parquet(paths + sorted((folder / "images").glob("camera*.jpg"))
                             + [folder / "images" / "broken.png", SD_WEBUI_PNG], folder / "scores.parquet")
    return folder, table


def write_labels(folder, rows: dict) -> pa.Table:
    path = folder / "labels.csv"
    names = list(rows)
    lines = [",".join(names)] + [",".join(str(v) for v in values) for values in zip(*rows.values())]
    path.write_text("\n".join(lines) + "\n")
    return read_labels(str(path))


def figure(result, metric, group="all", field="quality"):
    found = [m for m in result.metrics if (m.metric, m.group, m.field) == (metric, group, field)]
    return found[0] if found else None


def value_of(table, name, field="quality"):
    row = [u.endswith(name) for u in table.column("uri").to_pylist()].index(True)
    return table.column(field)[row].as_py()


def test_correlations_overall_and_per_group_match_scipy(scored):
    folder, scores = scored
    names = [f"img{i:02d}.png" for i in range(12)]
    quality = np.array([value_of(scores, n) for n in names])
    mos = np.round(quality ** 1.5 / 200 + np.sin(np.arange(12)), 3)  # monotone plus a wobble
    dataset = ["a"] * 6 + ["b"] * 6
    files = [f"images/{n}" for n in names]
    labels = write_labels(folder, {"filename": files, "mos": mos, "dataset": dataset})
    result, joined = evaluate(scores, labels, resamples=200)
    assert result.matched == 12 and result.unmatched == 0 and result.group_by == "dataset"
    assert result.groups == ["a", "b"]
    overall = figure(result, "spearman")
    assert overall.n == 12
    assert overall.value == pytest.approx(reference.spearmanr(quality, mos).statistic, abs=1e-5)
    pearson = reference.pearsonr(quality, mos).statistic
    assert figure(result, "pearson").value == pytest.approx(pearson, abs=1e-5)
    assert overall.low <= overall.value <= overall.high
    in_b = figure(result, "spearman", group="b")
    assert in_b.n == 6
    assert in_b.value == pytest.approx(reference.spearmanr(quality[6:], mos[6:]).statistic, abs=1e-5)
    assert np.allclose(joined.labels["mos"], mos)


def test_attribute_columns_are_compared_and_group_by_names_any_column(scored):
    folder, scores = scored
    names = [f"img{i:02d}.png" for i in range(12)]
    sharp = [value_of(scores, n, "sharpness") for n in names]
    labels = write_labels(folder, {"filename": [f"images/{n}" for n in names], "mos": np.arange(12),
                                   "sharpness": -np.array(sharp), "generator": ["x", "y"] * 6})
    result, _ = evaluate(scores, labels, group_by="generator", resamples=0)
    assert figure(result, "spearman", field="sharpness").value == pytest.approx(-1.0)
    assert np.isnan(figure(result, "spearman", field="sharpness").low)  # no bootstrap asked for
    assert {m.group for m in result.metrics} == {"all", "x", "y"}
    with pytest.raises(LabelsError, match="no column `nope` to group by"):
        evaluate(scores, labels, group_by="nope")


def test_error_records_and_unscored_images_are_counted_and_left_out(scored):
    folder, scores = scored
    files = ["images/img00.png", "images/img01.png", "images/img02.png", "images/img03.png",
             "images/broken.png", "images/never_scored.png"]
    labels = write_labels(folder, {"filename": files, "mos": [1, 2, 3, 4, 5, 6]})
    result, _ = evaluate(scores, labels, resamples=0)
    assert (result.matched, result.score_errors, result.unmatched) == (5, 1, 1)
    assert result.unlabelled == 17 - 1 - 4  # every record but the broken one and the four labelled images
    assert figure(result, "spearman").n == 4


def test_too_few_or_constant_values_are_skipped_with_the_reason(scored):
    folder, scores = scored
    labels = write_labels(folder, {"filename": ["images/img00.png", "images/img01.png", "images/img02.png"],
                                   "mos": [2, 2, 2], "dataset": ["a", "a", "b"]})
    result, _ = evaluate(scores, labels, resamples=0)
    reasons = {(s.group, s.metric): s.reason for s in result.skipped}
    assert reasons[("all", "spearman")] == "the labels are all 2"
    assert reasons[("b", "pearson")] == "too few images with both values (n=1)"
    assert not result.metrics


def test_authenticity_accuracy_and_auc_where_labels_have_both_classes(scored):
    folder, scores = scored
    files = [f"images/camera{i}.jpg" for i in range(3)] + [str(SD_WEBUI_PNG), "images/img00.png"]
    labels = write_labels(folder, {"filename": files, "mos": [1, 2, 3, 4, 5],
                                   "ai_generated": [0, 0, 0, 1, 1]})
    result, _ = evaluate(scores, labels, resamples=100)
    # camera EXIF says photographic, the WebUI chunk says AI; the plain PNG has no evidence and is left out
    assert figure(result, "accuracy", field="ai_generated").n == 4
    assert figure(result, "accuracy", field="ai_generated").value == pytest.approx(1.0)
    assert figure(result, "roc_auc", field="ai_generated").value == pytest.approx(1.0)

    one_class = write_labels(folder, {"filename": files, "mos": [1, 2, 3, 4, 5], "ai_generated": [1] * 5})
    result, _ = evaluate(scores, one_class, resamples=0)
    assert figure(result, "accuracy", field="ai_generated").value == pytest.approx(0.25)
    assert figure(result, "roc_auc", field="ai_generated") is None
    assert [s.reason for s in result.skipped if s.metric == "roc_auc"] == [
        "needs both classes in the labels; all 4 are 1"]


def test_no_overlap_is_an_error_that_shows_both_sides(scored):
    folder, scores = scored
    labels = write_labels(folder, {"filename": ["elsewhere/a.png", "elsewhere/b.png"], "mos": [1, 2]})
    with pytest.raises(LabelsError, match="no labelled image has a score record .*elsewhere/a.png.*img00"):
        evaluate(scores, labels)


def test_metrics_follow_the_declared_kind_of_each_field(scored, monkeypatch):
    """A probability field gets accuracy and AUC, an amount correlations, whatever its name."""
    from vc_curate import fields
    from vc_curate.evaluate import agreement

    folder, scores = scored
    files = [f"images/camera{i}.jpg" for i in range(3)] + [str(SD_WEBUI_PNG), "images/img00.png"]
    labels = write_labels(folder, {"filename": files, "mos": [1, 2, 3, 4, 5], "ai_generated": [0, 0, 0, 1, 1],
                                   "sharpness": [5, 4, 3, 2, 1]})
    result, _ = evaluate(scores, labels, resamples=0)
    assert {m.metric for m in result.metrics if m.field == "ai_generated"} == {"accuracy", "roc_auc"}
    assert {m.metric for m in result.metrics if m.field == "sharpness"} == {"spearman", "pearson"}
    declared = dict(fields.FIELDS, ai_generated=fields.FieldSpec("ai_generated", fields.FIELDS["ai_generated"].type,
                                                                 fields.AMOUNT, "as an amount", 0, 1))
    monkeypatch.setattr(agreement, "FIELDS", declared)
    result, _ = evaluate(scores, labels, resamples=0)
    assert {m.metric for m in result.metrics if m.field == "ai_generated"} == {"spearman", "pearson"}
