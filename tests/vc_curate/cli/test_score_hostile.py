"""`vc-curate score` on hostile inputs: every one gets one record, and `--resume` gets past all of them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from tests.vc_curate.hostile_files import (deep_json, png, write_map_table, write_non_utf8_file, write_tar,
                                           write_text_source_table)
from vc_curate.cli.main import main

VC_CURATE = [sys.executable, "-c", "import sys; from vc_curate.cli.main import main; sys.exit(main())"]


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_non_utf8_file(folder)
    write_tar(folder / "deep.tar", [("k1.png", png(5)), ("k1.json", deep_json())])
    write_map_table(folder / "a_map.parquet")  # `source` is an integer here ...
    write_text_source_table(folder / "b_text.parquet")  # ... and text here
    return folder


@pytest.mark.parametrize("out_name", ["s.parquet", "folder"])
def test_crashing_inputs_are_carried_and_resume_gets_past_them(hostile, tmp_path, out_name, capsys):
    out = str(tmp_path / out_name)
    assert main(["score", str(hostile), "--out", out, "--quiet"]) == 0
    rows = {r["uri"].rsplit("/", 1)[1]: r for r in pq.read_table(out).to_pylist()}
    assert sorted(rows) == ["a_map.parquet#0", "a_map.parquet#1", "b_text.parquet#0", "caf\\xe9.png",
                            "deep.tar#k1.png"]
    assert all(r["error"] is None for r in rows.values())
    assert json.loads(rows["a_map.parquet#0"]["tags"]) == {"colour": 1, "size": 2}
    assert [rows[k]["source"] for k in ("a_map.parquet#0", "b_text.parquet#0")] == ["7", "web"]
    assert rows["deep.tar#k1.png"]["json"] == deep_json().decode()
    capsys.readouterr()
    assert main(["score", str(hostile), "--out", out, "--quiet", "--resume"]) == 0
    assert "5 skipped as already scored" in capsys.readouterr().err
    assert pq.read_table(out).num_rows == 5


def _cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*VC_CURATE, *args], capture_output=True, text=True,
                          timeout=timeout)


def test_a_fifo_named_like_an_image_is_an_error_record_not_a_hang(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.png").write_bytes(png(1))
    os.mkfifo(folder / "x.jpg")  # nobody ever writes to it: reading it would block forever
    out = tmp_path / "s.parquet"
    done = _cli("score", str(folder), str(folder / "x.jpg"), "--out", str(out), "--quiet", timeout=60)
    assert done.returncode == 0, done.stderr
    errors = [e for e in pq.read_table(out).column("error").to_pylist() if e]
    assert errors == ["read failed: NotRegularFileError: a FIFO: only regular files are read"] * 2


@pytest.mark.slow
def test_ctrl_c_commits_what_is_done_and_resume_finishes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(150):
        (folder / f"{i:03d}.png").write_bytes(png(i, (128, 96)))
    out = tmp_path / "s.parquet"
    proc = subprocess.Popen([*VC_CURATE, "score", str(folder), "--out", str(out),
                             "--workers", "1", "--batch-size", "4"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    seen = ""
    while not any(int(n) >= 4 for n in re.findall(r"(\d+)img ", seen[-200:])):  # some images scored
        seen += proc.stderr.read(1)
        assert time.monotonic() < deadline and proc.poll() is None, seen
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, rest
    written = pq.read_table(out).num_rows
    assert 0 < written < 150
    done = _cli("score", str(folder), "--out", str(out), "--quiet", "--resume")
    assert done.returncode == 0, done.stderr
    assert f"{written} skipped as already scored" in done.stderr
    assert sorted(pq.read_table(out).column("uri").to_pylist()) == sorted(str(p) for p in folder.iterdir())


def test_inputs_that_name_nothing_get_records_and_exit_1_at_the_end(tmp_path, capsys):
    (tmp_path / "ok.png").write_bytes(png(1))
    out = tmp_path / "s.parquet"
    assert main(["score", str(tmp_path / "typo.png"), str(tmp_path / "ok.png"), str(tmp_path / "*.jpeg"),
                 "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"nothing to score in {tmp_path / 'typo.png'}, {tmp_path / '*.jpeg'}" in err
    table = pq.read_table(out)
    assert table.num_rows == 3 and table.column("error").to_pylist()[1] is None


def test_files_from_a_list_and_from_stdin(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.png").write_bytes(png(i))
    listing = tmp_path / "list.txt"
    listing.write_text(f"{tmp_path / '0.png'}\n\n{tmp_path / '1.png'}\n")
    out = tmp_path / "a.parquet"
    assert main(["score", str(tmp_path / "2.png"), "--files-from", str(listing), "--out", str(out), "--quiet"]) == 0
    assert pq.read_table(out).num_rows == 3
    done = subprocess.run([*VC_CURATE, "score", "--files-from", "-", "--out",
                           str(tmp_path / "b.parquet"), "--quiet"], input=listing.read_text(), text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pq.read_table(tmp_path / "b.parquet").num_rows == 2
