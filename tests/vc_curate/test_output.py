"""The Parquet writer: atomic parts, one schema across parts, and the resume key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from vc_curate.lock import OutputLockedError
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


KILL_AT = {
    # after the merged file is renamed into place, before `.parts/` is removed
    "merge-then-parts": "import fsspec.implementations.local as L; real = L.LocalFileSystem.rm\n"
                        "def rm(self, path, recursive=False, **kw):\n"
                        "    if recursive: os.kill(os.getpid(), signal.SIGKILL)\n"
                        "    return real(self, path, recursive=recursive, **kw)\n"
                        "L.LocalFileSystem.rm = rm\n",
    # in the middle of rewriting a part (schema alignment, dropping replaced records) or of writing the merge
    "rewrite": "import pyarrow.parquet as pq; real = pq.write_table; Writer = pq.ParquetWriter\n"
               "def torn(where):\n"
               "    open(where, 'wb').write(b'PAR1 torn'); os.kill(os.getpid(), signal.SIGKILL)\n"
               "def write_table(table, where, **kw):\n"
               "    torn(where) if closing else real(table, where, **kw)\n"
               "class Killed(Writer):\n"
               "    def __init__(self, where, *a, **kw): super().__init__(where, *a, **kw); self.where = where\n"
               "    def write_table(self, table, **kw): torn(self.where)\n"
               "import vc_curate.output as o; o.pq.write_table = write_table; o.pq.ParquetWriter = Killed\n",
}
WRITE = """
import os, signal, sys
closing = False
{kill}
from vc_curate.output import RecordWriter
from vc_curate.record import Record
out, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
writer = RecordWriter(out, resume=True, rows_per_part=10)
for i in range(first, first + n):
    writer.write(Record(uri=f"u{{i}}", sha256=str(i), extra={{"k": i if first == 0 else str(i)}}))
closing = True
writer.close()
"""


@pytest.mark.parametrize("out_name, kill", [("s.parquet", "merge-then-parts"), ("s.parquet", "rewrite"),
                                            ("folder", "rewrite")])  # a folder has no merge
def test_a_close_killed_at_any_step_is_finished_by_resume(tmp_path, out_name, kill):
    out = str(tmp_path / out_name)
    run = lambda first, n, code: subprocess.run([sys.executable, "-c", code, out, str(first), str(n)],  # noqa: E731
                                                 capture_output=True, text=True, timeout=60)
    assert run(0, 20, WRITE.format(kill="")).returncode == 0
    killed = run(20, 20, WRITE.format(kill=KILL_AT[kill]))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    writer = RecordWriter(out, resume=True)  # what --resume does first
    assert all(writer.already_done(f"u{i}", str(i)) for i in range(40))
    writer.close()
    uris = pq.read_table(out).column("uri").to_pylist()
    assert sorted(uris) == sorted(f"u{i}" for i in range(40))  # not 80, no traceback
    assert not list(tmp_path.rglob("*.tmp-*")) and not list(tmp_path.rglob(".tmp-*"))


def test_a_second_writer_is_refused_and_a_dead_writers_lock_is_taken_over(tmp_path):
    for out in (str(tmp_path / "s.parquet"), str(tmp_path / "folder")):
        first = RecordWriter(out)
        with pytest.raises(OutputLockedError, match=f"is being written by pid {os.getpid()}"):
            RecordWriter(out, resume=True)
        first.close()
        holder = subprocess.Popen([sys.executable, "-c", "import sys; from vc_curate.output import RecordWriter; "
                                   "w = RecordWriter(sys.argv[1], resume=True); print('locked', flush=True); "
                                   "sys.stdin.read()", out], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(OutputLockedError):
            RecordWriter(out, resume=True)
        holder.kill()  # kill -9: the lock stays behind
        holder.wait()
        RecordWriter(out, resume=True).close()  # taken over


def test_a_changed_file_replaces_its_stale_record_and_a_repeated_input_keeps_both(tmp_path):
    out = str(tmp_path / "s.parquet")
    writer = RecordWriter(out)
    writer.write(Record(uri="a", sha256="old"))
    writer.write(Record(uri="b", sha256="same"))
    writer.close()
    writer = RecordWriter(out, resume=True)
    assert not writer.already_done("a", "new") and writer.already_done("b", "same")
    writer.write(Record(uri="a", sha256="new"))
    writer.write(Record(uri="a", sha256="new"))  # the same input given twice
    writer.close()
    rows = sorted((r["uri"], r["sha256"]) for r in pq.read_table(out).to_pylist())
    assert rows == [("a", "new"), ("a", "new"), ("b", "same")]


def test_a_value_of_another_kind_in_one_part_is_text_with_a_note(tmp_path):
    out = tmp_path / "s.parquet"
    writer = RecordWriter(str(out))
    writer.write(Record(uri="a", sha256="1", extra={"source": 7}))
    writer.write(Record(uri="b", sha256="2", extra={"source": "web"}, notes="noisiness: unparsable answer"))
    writer.close()
    rows = pq.read_table(out).to_pylist()
    assert [(r["source"], r["notes"]) for r in rows] == [
        ("7", "source: mixed types, kept as text"), ("web", "noisiness: unparsable answer")]
