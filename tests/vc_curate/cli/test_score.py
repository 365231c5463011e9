"""`vc-curate score`: outputs, resume after a kill, error-rate exit, progress and one-line argument errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import encode, scene
from tests.vc_curate.bad_inputs import bad_inputs
from vc_curate.cli.main import main
from vc_curate.inputs import expand_inputs
from vc_curate.output import RecordWriter
from vc_curate.record import FIELDS, Record
from vc_curate.registry import scorer_class

VERSION = scorer_class("classic")().version


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(6):
        (folder / f"good{i}.png").write_bytes(encode(scene((64, 48), seed=i)))
    for name, data in bad_inputs().items():
        (folder / name).write_bytes(data)
    return folder


def test_score_writes_one_record_per_input(images, tmp_path, capsys):
    out = tmp_path / "scores.parquet"
    assert main(["score", str(images), "--out", str(out)]) == 0
    table = pq.read_table(out)
    assert table.schema.names == list(FIELDS)
    assert table.num_rows == 6 + 5  # bad_inputs' unknown_format.bin has no image extension: not found by folder
    errors = [e for e in table.column("error").to_pylist() if e]
    assert len(errors) == 5
    err = capsys.readouterr().err
    assert "scored 11 images" in err and "5 errors" in err and "decode failed: 5" in err
    assert not (tmp_path / "scores.parquet.parts").exists()


def test_folder_output_and_explicit_unknown_file(images, tmp_path):
    out = tmp_path / "scores"
    assert main(["score", str(images / "good0.png"), str(images / "unknown_format.bin"), "--out", str(out),
                 "--quiet"]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 2 and table.column("error").to_pylist()[1].startswith("decode failed: not an image")


def test_existing_output_needs_resume_or_overwrite(images, tmp_path, capsys):
    out = str(tmp_path / "s.parquet")
    assert main(["score", str(images), "--out", out, "--quiet"]) == 0
    assert main(["score", str(images), "--out", out, "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["score", str(images), "--out", out, "--quiet", "--overwrite"]) == 0
    assert pq.read_table(out).num_rows == 11


def test_resume_after_a_killed_run_scores_only_what_is_missing(images, tmp_path, capsys):
    out = str(tmp_path / "s.parquet")
    # what a run killed after its first part leaves on disk: a committed part and no final file
    first = sorted(i.uri for i in expand_inputs([str(images)]))[:4]
    writer = RecordWriter(out, rows_per_part=2)
    for uri in first:
        rec = Record(uri=uri, sha256=__import__("hashlib").sha256(open(uri, "rb").read()).hexdigest(),
                     quality=1.0, scorer=VERSION)
        writer.write(rec)
    writer._release()  # no close(): the process died (its lock would be taken over as a dead pid's)
    assert (tmp_path / "s.parquet.parts").is_dir() and not (tmp_path / "s.parquet").exists()
    assert main(["score", str(images), "--out", out, "--resume", "--quiet"]) == 0
    assert "4 skipped as already scored" in capsys.readouterr().err
    table = pq.read_table(out)
    uris = table.column("uri").to_pylist()
    assert len(uris) == len(set(uris)) == 11
    earlier = [q for q in table.column("quality").to_pylist() if q == 1.0]
    assert len(earlier) == 4
    # a changed file is scored again even though its uri was seen
    (images / "good5.png").write_bytes(encode(scene((64, 48), seed=99)))
    assert main(["score", str(images), "--out", out, "--resume", "--quiet"]) == 0
    table = pq.read_table(out)  # the changed file's stale record went, replaced by the new one
    assert table.num_rows == 11 and table.column("uri").to_pylist().count(str(images / "good5.png")) == 1


def test_max_error_rate_fails_the_run(images, tmp_path, capsys):
    assert main(["score", str(images), "--out", str(tmp_path / "a.parquet"), "--quiet",
                 "--max-error-rate", "0.2"]) == 1
    assert "above --max-error-rate" in capsys.readouterr().err
    assert main(["score", str(images), "--out", str(tmp_path / "b.parquet"), "--quiet",
                 "--max-error-rate", "0.5"]) == 0


@pytest.mark.parametrize("args, message", [
    (["score", "x", "--out", "o.parquet", "--batch-size", "0"], "must be at least 1"),
    (["score", "x", "--out", "o.parquet", "--scorer", "magic"], "invalid choice"),
    (["score", "x", "--out", "o.parquet", "--model", "m"], "only apply to --scorer lmm"),
    (["score", "x", "--out", "o.parquet", "--scorer", "lmm"], "needs --model"),
    (["score", "x", "--out", "o.parquet", "--max-error-rate", "2"], "between 0 and 1"),
    (["score", "x", "--out", "o.parquet", "--device", "cuda"], "no CUDA device"),
    (["score", "--out", "o.parquet", "--files-from", "missing.txt"], "--files-from missing.txt: no such file"),
    (["score", "--out", "o.parquet"], "give at least one INPUT"),
])
def test_bad_arguments_are_one_line_and_exit_2(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_bytes(encode(scene()))
    with pytest.raises(SystemExit) as exit_:
        sys.exit(main(args))
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err


def test_console_script_shows_progress_on_stderr(images, tmp_path):
    script = Path(sys.executable).with_name("vc-curate")  # the venv's console script, PATH or not
    done = subprocess.run([str(script), "score", str(images), "--out", str(tmp_path / "s.parquet")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "img/s" in done.stderr and "11img" in done.stderr  # no total: inputs are walked once, not counted
    assert done.stdout == ""


def test_unusable_trust_anchors_is_a_usage_error(images, tmp_path, capsys):
    pem = tmp_path / "anchors.pem"
    pem.write_text("not a certificate")
    assert main(["score", str(images), "--out", str(tmp_path / "s.parquet"), "--c2pa-trust-anchors", str(pem)]) == 2
    assert "no PEM certificate" in capsys.readouterr().err


@pytest.mark.parametrize("keep_old", [False, True])
def test_resume_scores_again_what_another_version_scored_unless_told_to_keep_it(images, tmp_path, capsys, keep_old):
    out = str(tmp_path / "s.parquet")
    uri = str(images / "good0.png")
    writer = RecordWriter(out)
    writer.write(Record(uri=uri, sha256=__import__("hashlib").sha256(open(uri, "rb").read()).hexdigest(),
                        quality=1.0, scorer="classic/0"))
    writer.close()
    assert main(["score", uri, "--out", out, "--resume", "--quiet", *(["--keep-old-versions"] * keep_old)]) == 0
    rows = pq.read_table(out).to_pylist()
    assert [r["scorer"] for r in rows] == (["classic/0"] if keep_old else [VERSION])


def test_the_summary_counts_read_right_for_one(tmp_path, capsys):
    (tmp_path / "one.png").write_bytes(b"<html>404</html>")
    assert main(["score", str(tmp_path / "one.png"), "--out", str(tmp_path / "s.parquet"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "scored 1 image in " in err and "0 ok, 1 error (decode failed: 1)" in err
