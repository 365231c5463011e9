"""`python -m beam_jobs.curate` end to end on a real corpus folder, read back with pyarrow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from beam_jobs.curate import main
from tests.beam_jobs.conftest import good

KINDS = ("kept", "rejected", "errors", "skipped")


def curate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beam_jobs.curate", "--runner", "DirectRunner", *args],
                          capture_output=True, text=True, timeout=300)


def landed(out: Path) -> dict[str, str]:
    """uri -> the kind of file it landed in; fails on any uri written twice."""
    where: dict[str, str] = {}
    for kind in KINDS:
        for path in sorted(out.glob(f"{kind}-*.parquet")):
            for uri in pq.read_table(path).column("uri").to_pylist():
                assert uri not in where, f"{uri} written twice"
                where[uri] = kind
    return where


def only_progress(stderr: str) -> bool:
    """The log is the progress lines per bundle and nothing of Beam's ("apitools not found", "Discarding
    unparseable args", the worker processes' start-up notes)."""
    log = stderr.splitlines()
    return bool(log) and all(line.startswith("vc-curate beam: scored") for line in log)


def by_name(path: Path) -> dict[str, dict]:
    return {r["uri"].rsplit("/", 1)[1]: r for r in pq.read_table(path).to_pylist()}


@pytest.mark.slow
def test_every_input_lands_once_reruns_refuse_or_repeat_and_incremental_runs_skip(corpus, tmp_path):
    out = tmp_path / "run1"
    args = ["--input", str(corpus.root), "--keep_if", corpus.keep_if]
    done = curate(*args, "--output_dir", str(out), "--direct_num_workers", "2",
                  "--direct_running_mode", "multi_processing")
    assert done.returncode == 0, done.stderr[-3000:]
    assert landed(out) == corpus.expected
    kept = sum(kind == "kept" for kind in corpus.expected.values())
    summary = f"13 inputs: {kept} kept, {8 - kept} rejected, 5 errors (read 2, decode 3), 0 skipped; 8 scored"
    assert summary in done.stdout
    assert only_progress(done.stderr), done.stderr
    stats = json.loads((out / "stats.json").read_text())
    assert stats["outcomes"] == {"errors": 5, "kept": kept, "rejected": 8 - kept}
    assert stats["errors"] == {"decode": 3, "read": 2} and stats["input_patterns"] == [str(corpus.root)]
    errors = by_name(out / "errors-00000-of-00001.parquet")
    assert errors["corrupt.tar"]["error"].startswith("read failed: ")
    assert errors["broken.jpg"]["error"].startswith("decode failed: ")
    assert errors["shard.tar#0002.jpg"]["json"] == '{"caption": "broken"}'
    scored = by_name(out / "kept-00000-of-00001.parquet") | by_name(out / "rejected-00000-of-00001.parquet")
    assert scored["table.parquet#0"]["key"] == "k0" and scored["a.jpg"]["scorer"].startswith("classic/")
    assert stats["scorer_versions"] == {scored["a.jpg"]["scorer"]: 8 + 3}  # scored, and decode errors

    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "stats.json"}
    refused = curate(*args, "--output_dir", str(out))
    assert refused.returncode == 2 and "is not empty" in refused.stderr.strip().splitlines()[-1]
    again = curate(*args, "--output_dir", str(out), "--overwrite")
    assert again.returncode == 0 and only_progress(again.stderr), again.stderr[-3000:]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "stats.json"} == before  # same bytes

    changes = {"a.jpg": good(11),  # changed: scored again
               "broken.jpg": good(12),  # an earlier error, now readable: retried
               "new.jpg": good(13)}  # new
    for name, data in changes.items():
        (corpus.root / name).write_bytes(data)
    out2 = tmp_path / "run2"
    nightly = curate(*args, "--output_dir", str(out2), "--previous_output", str(out))
    assert nightly.returncode == 0 and only_progress(nightly.stderr), nightly.stderr[-3000:]
    where = landed(out2)
    assert set(where) == set(corpus.expected) | {str(corpus.root / "new.jpg")}
    rescored = {str(corpus.root / name): corpus.kind_of(data) for name, data in changes.items()}
    skipped = {u for u, k in corpus.expected.items() if k in ("kept", "rejected")} - set(rescored)
    assert {u for u, k in where.items() if k == "skipped"} == skipped
    assert {u: k for u, k in where.items() if k in ("kept", "rejected")} == rescored
    assert "4 errors (read 2, decode 2), 7 skipped; 3 scored" in nightly.stdout


@pytest.mark.parametrize("args, message", [
    (["--keep_if", "qualty >= 5"], "unknown field 'qualty'"),
    (["--keep-if", "quality >= 5"], "Beam flags use underscores, --keep_if"),
    (["--keep_if", "quality >= 5", "--scorer", "classic", "--model", "x"], "does not take --model"),
    (["--keep_if", "quality >= 5", "--previous_output", "nowhere"], "holds no kept-/rejected-/skipped-"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, capsys, args, message):
    assert main(["--input", str(tmp_path), "--output_dir", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
