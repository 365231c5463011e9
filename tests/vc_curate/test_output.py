"""The Parquet writer: atomic parts, one schema across parts, and the resume key."""

from __future__ import annotations

import pyarrow.parquet as pq

from vc_curate.output import RecordWriter
from vc_curate.record import Record


def test_parts_with_different_source_columns_read_as_one_table(tmp_path):
    out = tmp_path / "scores"
    writer = RecordWriter(str(out), rows_per_part=2)
    writer.write(Record(uri="a", sha256="1", quality=50.0))
    writer.write(Record(uri="b", sha256="2", quality=60.0))
    writer.write(Record(uri="c#0", sha256="3", quality=70.0, extra={"caption": "x", "key": "000"}))
    writer.close()
    parts = sorted(p.name for p in out.iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet"]
    table = pq.read_table(out)
    assert table.num_rows == 3
    assert table.column("caption").to_pylist() == [None, None, "x"]


def test_resume_key_is_uri_and_bytes(tmp_path):
    out = str(tmp_path / "s.parquet")
    writer = RecordWriter(out)
    writer.write(Record(uri="a", sha256="1", quality=50.0))
    writer.write(Record.failed("b", "decode failed: empty file (0 bytes)", sha256="2"))
    writer.close()
    again = RecordWriter(out, resume=True)
    assert again.already_done("a", "1") and again.already_done("b", "2")
    assert not again.already_done("a", "changed") and not again.already_done("c", "3")
    again.close()
    assert pq.read_table(out).num_rows == 2


def test_no_temporary_files_are_left(tmp_path):
    out = tmp_path / "s.parquet"
    writer = RecordWriter(str(out), rows_per_part=1)
    for i in range(3):
        writer.write(Record(uri=str(i), sha256=str(i)))
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["s.parquet"]


def test_a_source_column_of_two_kinds_across_parts_becomes_text(tmp_path):
    for out in (tmp_path / "s.parquet", tmp_path / "folder"):
        writer = RecordWriter(str(out), rows_per_part=1)
        writer.write(Record(uri="a", sha256="1", extra={"source": 7, "n": 1}))
        writer.write(Record(uri="b", sha256="2", extra={"source": "web", "n": 2.5}))
        writer.close()
        table = pq.read_table(out)
        assert table.column("source").to_pylist() == ["7", "web"]
        assert table.column("n").to_pylist() == [1.0, 2.5]
