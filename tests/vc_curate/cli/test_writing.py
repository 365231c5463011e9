"""Every command that writes: the --overwrite rule, outputs that are inputs refused, one-line errors (exit 2)."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.vc_curate.hostile_files import png
from vc_curate.cli.main import main

VC_CURATE = [sys.executable, "-c", "import sys; from vc_curate.cli.main import main; sys.exit(main())"]


@pytest.fixture
def scores(tmp_path):
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"uri": [f"u{i}" for i in range(20)], "quality": [float(i * 5) for i in range(20)],
                             "error": [None] * 20}), path)
    return path


def one_line_exit_2(args, capsys, message):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_filter_never_overwrites_its_input(scores, capsys):
    one_line_exit_2(["filter", str(scores), "--keep-if", "quality >= 50", "--out", str(scores), "--overwrite"],
                    capsys, "is also an input")
    assert pq.read_table(scores).num_rows == 20


def test_filter_out_and_rejected_must_differ(scores, tmp_path, capsys):
    out = str(tmp_path / "x.parquet")
    one_line_exit_2(["filter", str(scores), "--keep-if", "quality >= 50", "--out", out, "--rejected", out],
                    capsys, "name the same file")


def test_filter_needs_overwrite_to_replace(scores, tmp_path, capsys):
    out = tmp_path / "kept.parquet"
    args = ["filter", str(scores), "--keep-if", "quality >= 50", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    one_line_exit_2(args, capsys, "pass --overwrite")
    assert main([*args, "--overwrite"]) == 0 and pq.read_table(out).num_rows == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.parquet", "s.parquet"]


def test_a_rule_nested_past_the_recursion_limit_is_one_line(scores, tmp_path, capsys):
    rule = "(" * 400 + "quality >= 50" + ")" * 400
    one_line_exit_2(["filter", str(scores), "--keep-if", rule, "--out", str(tmp_path / "k.parquet")], capsys,
                    "nests deeper than 100 levels")


def test_report_and_evaluate_follow_the_same_rule(scores, tmp_path, capsys):
    one_line_exit_2(["report", str(scores), "--out", str(scores)], capsys, "is also an input")
    page = tmp_path / "r.html"
    page.write_text("an earlier report")
    one_line_exit_2(["report", str(scores), "--out", str(page)], capsys, "pass --overwrite")
    labels = tmp_path / "labels.csv"
    labels.write_text("uri,mos\nu1,3\n")
    one_line_exit_2(["evaluate", str(scores), "--labels", str(labels), "--json", str(labels)], capsys,
                    "is also an input")


@pytest.mark.parametrize("setup, out, message", [
    (lambda p: (p / "notes.txt").write_text("x"), "notes.txt", "--out"),  # an existing file, not a folder
    (lambda p: (p / "old.parquet").write_text("not parquet"), "old.parquet", "--out"),
    (lambda p: None, "/proc/vc-curate-test/s.parquet", "--out"),  # cannot be created
    (lambda p: None, "in", "is also an input"),
])
def test_score_out_problems_are_one_line(tmp_path, capsys, setup, out, message):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(png(1))
    setup(tmp_path)
    out = out if out.startswith("/") else str(tmp_path / out)
    one_line_exit_2(["score", str(tmp_path / "in"), "--out", out, "--quiet", "--resume"], capsys, message)


def test_every_command_makes_the_folder_its_outputs_go_in(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    for i in range(3):
        (tmp_path / "in" / f"{i}.png").write_bytes(png(i))
    scores = tmp_path / "new" / "deeper" / "s.parquet"
    labels = tmp_path / "labels.csv"
    labels.write_text("uri,mos\n" + "".join(f"{tmp_path / 'in' / f'{i}.png'},{i}\n" for i in range(3)))
    runs = [(["score", str(tmp_path / "in"), "--out", str(scores), "--quiet"], ["new/deeper/s.parquet"]),
            (["score", str(tmp_path / "in"), "--out", str(tmp_path / "other" / "parts"), "--quiet"],
             ["other/parts"]),
            (["filter", str(scores), "--keep-if", "quality >= 0", "--out", str(tmp_path / "a" / "k.parquet"),
              "--rejected", str(tmp_path / "b" / "r.parquet")], ["a/k.parquet", "b/r.parquet"]),
            (["report", str(scores), "--out", str(tmp_path / "c" / "d" / "r.html")], ["c/d/r.html"]),
            (["evaluate", str(scores), "--labels", str(labels), "--json", str(tmp_path / "e" / "m.json")],
             ["e/m.json"])]
    for args, made in runs:
        assert main(args) == 0, capsys.readouterr().err
        assert all((tmp_path / m).exists() for m in made), made
    assert pq.read_table(scores).num_rows == 3 and pq.read_table(tmp_path / "other" / "parts").num_rows == 3


def test_an_output_folder_that_cannot_be_made_is_one_line(scores, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    one_line_exit_2(["report", str(scores), "--out", str(tmp_path / "file" / "r.html")], capsys,
                    "cannot create folder")


def _file_size_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_at_merge_is_one_line_and_leaves_no_temporary_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i}.png").write_bytes(png(i))
    out = tmp_path / "s.parquet"
    done = subprocess.run([*VC_CURATE, "score", str(folder), "--out", str(out),
                           "--quiet"], capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(6000))
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot write" in done.stderr
    assert not [p.name for p in tmp_path.rglob("*.tmp-*")] + [p.name for p in tmp_path.rglob(".tmp-*")]


def test_a_second_score_run_into_a_locked_out_is_one_line(tmp_path, capsys):
    (tmp_path / "a.png").write_bytes(png(1))
    out = tmp_path / "s.parquet"
    holder = subprocess.Popen([sys.executable, "-c", "import sys; from vc_curate.output import RecordWriter; "
                               "w = RecordWriter(sys.argv[1]); print('locked', flush=True); sys.stdin.read()",
                               str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        one_line_exit_2(["score", str(tmp_path / "a.png"), "--out", str(out), "--quiet", "--resume"], capsys,
                        f"is being written by pid {holder.pid}")
    finally:
        holder.kill()
        holder.wait()
    assert main(["score", str(tmp_path / "a.png"), "--out", str(out), "--quiet", "--resume"]) == 0  # taken over
    assert pq.read_table(out).num_rows == 1
