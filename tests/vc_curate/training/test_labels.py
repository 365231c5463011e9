"""Reading a labels table for training: image resolution, groups, targets and the errors that say what to fix."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from tests.vc_curate.training.conftest import write_csv
from vc_curate.evaluate.labels import LabelsError
from vc_curate.training.labels import ALL, read_label_set


def test_filenames_resolve_against_the_tables_folder_and_dataset_is_the_default_group(labels_csv):
    labels = read_label_set(labels_csv)
    folder = os.path.dirname(labels_csv)
    assert labels.uris[0] == os.path.realpath(os.path.join(folder, "images/scene0.png"))
    assert labels.group_by == "dataset"
    assert list(labels.groups[:6]) == ["koniq-like"] * 6 and list(labels.groups[6:]) == ["spaq-like"] * 6
    assert labels.mos[1] == pytest.approx(1.8) and labels.std[7] == 6.0
    assert sorted(labels.attributes) == ["brightness", "colorfulness", "contrast", "noisiness", "sharpness"]
    assert list(labels.ai_generated[:3]) == [0.0, 1.0, 0.0]
    assert labels.descriptions[5] == "Sharp and well exposed." and labels.descriptions[0] is None


def test_group_by_names_another_column_and_no_group_column_means_one_group(agiqa_csv, tmp_path):
    labels = read_label_set(agiqa_csv, group_by="generator")
    assert len(set(labels.groups)) == 4 and len(labels) == 24
    assert math.isnan(labels.ai_generated[0]) and labels.attributes == {}
    alone = read_label_set(agiqa_csv)
    assert alone.group_by is None and set(alone.groups) == {ALL}


@pytest.mark.parametrize("rows, group_by, message", [
    ([{"uri": "IMG", "mos": 3}], "dataset", "--group-by dataset: .* has no such column"),
    ([{"uri": "IMG", "mos": ""}], None, "1 rows lack an image or a mos"),
    ([{"uri": "missing.png", "mos": 3}], None, "1 images do not exist .*missing.png"),
    ([{"uri": "IMG", "mos": 3, "ai_generated": 0.7}], None, "`ai_generated` must be 0 .* or 1"),
    ([{"image": "IMG", "mos": 3}], None, "has no image column"),
])
def test_bad_tables_are_one_line_errors(tmp_path, labels_csv, rows, group_by, message):
    image = os.path.join(os.path.dirname(labels_csv), "images", "scene0.png")
    rows = [{k: (image if v == "IMG" else v) for k, v in row.items()} for row in rows]
    with pytest.raises(LabelsError, match=message) as info:
        read_label_set(write_csv(tmp_path / "labels.csv", rows), group_by=group_by)
    assert "\n" not in str(info.value)


def test_rows_keep_the_tables_order(labels_csv):
    labels = read_label_set(labels_csv)
    assert np.all(np.diff(labels.mos[:6]) > 0) and np.all(np.diff(labels.mos[6:]) > 0)
