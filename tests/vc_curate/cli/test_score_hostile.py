"""`vc-curate score` on hostile inputs: every one gets one record, and `--resume` gets past all of them."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from tests.vc_curate.hostile_files import (deep_json, png, write_map_table, write_non_utf8_file, write_tar,
                                           write_text_source_table)
from vc_curate.cli.main import main


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
