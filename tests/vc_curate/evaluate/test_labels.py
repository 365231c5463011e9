"""Labels tables: CSV or Parquet, `uri` or `filename` (resolved against the table's folder); errors."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vc_curate.evaluate import LabelsError, read_labels, resolve_uri


def test_filename_is_resolved_against_the_table_folder_or_below_it(tmp_path, monkeypatch):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.jpg").write_bytes(b"x")
    (tmp_path / "b.jpg").write_bytes(b"x")
    rows = ["filename,mos,generator", "a.jpg,3.5,sd", "b.jpg,1.0,gan", "none.jpg,2,sd"]
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.chdir("/")
    table = read_labels(str(tmp_path / "labels.csv"))
    assert table.column("uri").to_pylist() == [
        os.path.realpath(tmp_path / "images" / "a.jpg"),  # found in the images/ folder beside the table
        os.path.realpath(tmp_path / "b.jpg"),
        os.path.realpath(tmp_path / "none.jpg"),  # missing: kept as written, it will not match
    ]
    assert table.column("mos").to_pylist() == [3.5, 1.0, 2.0]
    assert table.column("generator").to_pylist() == ["sd", "gan", "sd"]


def test_uri_column_in_parquet_keeps_urls_and_shard_members(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    uris = ["rel/c.png", "s3://bucket/x.jpg", "shards/000.tar#0001.jpg", "file:///data/d.png"]
    pq.write_table(pa.table({"uri": uris, "mos": [1, 2, 3, 4]}), tmp_path / "labels.parquet")
    table = read_labels(str(tmp_path / "labels.parquet"))
    assert table.column("uri").to_pylist() == [
        os.path.realpath(tmp_path / "rel" / "c.png"),
        "s3://bucket/x.jpg",
        os.path.realpath(tmp_path / "shards" / "000.tar") + "#0001.jpg",
        "/data/d.png",
    ]
    assert resolve_uri("s3://b/k.tar#m.jpg") == "s3://b/k.tar#m.jpg"


@pytest.mark.parametrize("text, message", [
    ("image,mos\na.jpg,1\n", "no image column: name it `uri`"),
    ("filename,score\na.jpg,1\n", "no `mos` column"),
])
def test_tables_without_the_needed_columns_are_one_line_errors(tmp_path, text, message):
    (tmp_path / "labels.csv").write_text(text)
    with pytest.raises(LabelsError, match=message) as caught:
        read_labels(str(tmp_path / "labels.csv"))
    assert "\n" not in str(caught.value)


def test_missing_and_unreadable_tables_are_one_line_errors(tmp_path):
    with pytest.raises(LabelsError, match="does not exist"):
        read_labels(str(tmp_path / "nope.csv"))
    (tmp_path / "labels.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(LabelsError, match="cannot read .* as CSV or Parquet") as caught:
        read_labels(str(tmp_path / "labels.parquet"))
    assert "\n" not in str(caught.value)
