"""The Beam job on inputs that used to crash every attempt: a non-UTF-8 name, a deep sidecar, a map column."""

from __future__ import annotations

import json
import os

import pyarrow.parquet as pq

from beam_jobs.curate import main
from tests.vc_curate.hostile_files import (deep_json, png, write_map_table, write_non_utf8_file, write_tar,
                                           write_text_source_table)


def test_hostile_inputs_land_once_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_non_utf8_file(folder)
    write_tar(folder / "deep.tar", [("k1.png", png(5)), ("k1.json", deep_json())])
    write_map_table(folder / "a_map.parquet")
    write_text_source_table(folder / "b_text.parquet")
    os.mkfifo(folder / "x.jpg")  # never written to: reading it would block the worker forever
    out = tmp_path / "out"
    assert main(["--input", str(folder), "--output_dir", str(out), "--keep_if", "quality >= 0"]) == 0
    rows = {r["uri"].rsplit("/", 1)[1]: r for r in pq.read_table(out / "kept-00000-of-00001.parquet").to_pylist()}
    assert sorted(rows) == ["a_map.parquet#0", "a_map.parquet#1", "b_text.parquet#0", "caf\\xe9.png",
                            "deep.tar#k1.png"]
    assert json.loads(rows["a_map.parquet#0"]["tags"]) == {"colour": 1, "size": 2}
    assert [rows[k]["source"] for k in ("a_map.parquet#0", "b_text.parquet#0")] == ["7", "web"]
    assert rows["deep.tar#k1.png"]["json"] == deep_json().decode()
    [error] = pq.read_table(out / "errors-00000-of-00001.parquet").to_pylist()
    assert error["uri"].endswith("/x.jpg") and "only regular files are read" in error["error"]


def test_a_rule_nested_past_the_recursion_limit_is_one_line(tmp_path, capsys):
    rule = "(" * 400 + "quality >= 50" + ")" * 400
    assert main(["--input", str(tmp_path), "--output_dir", str(tmp_path / "out"), "--keep_if", rule]) == 2
    err = capsys.readouterr().err.strip()
    assert "nests deeper than 100 levels" in err and len(err.splitlines()) == 1
