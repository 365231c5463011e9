"""`vc-curate filter`: kept and rejected split by a rule; bad rules are one-line errors."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vc_curate.cli.main import main


@pytest.fixture
def scores(tmp_path):
    path = tmp_path / "scores.parquet"
    pq.write_table(pa.table({
        "uri": ["a", "b", "c", "d"], "quality": [80.0, 30.0, None, 55.0],
        "authenticity": ["photographic", "photographic", None, "ai-generated"],
        "error": [None, None, "decode failed: empty file (0 bytes)", None],
    }), path)
    return path


def test_keep_and_reject(scores, tmp_path, capsys):
    kept, rejected = tmp_path / "kept.parquet", tmp_path / "rejected.parquet"
    assert main(["filter", str(scores), "--keep-if", 'quality >= 50 and authenticity != "ai-generated"',
                 "--out", str(kept), "--rejected", str(rejected)]) == 0
    assert pq.read_table(kept).column("uri").to_pylist() == ["a"]
    assert pq.read_table(rejected).column("uri").to_pylist() == ["b", "c", "d"]
    assert "kept 1 of 4" in capsys.readouterr().err


def test_percentile_rule(scores, tmp_path):
    kept = tmp_path / "kept.parquet"
    assert main(["filter", str(scores), "--keep-if", "quality >= p50", "--out", str(kept)]) == 0
    assert pq.read_table(kept).column("uri").to_pylist() == ["a", "d"]


@pytest.mark.parametrize("rule", ["qualty > 1", "quality >> 1", "quality > 'x'", 'authenticity == "AI-generated"',
                                  "(" * 400 + "quality > 1" + ")" * 400, "not " * 100_000 + "quality > 1"])
def test_bad_rule_exit_2(scores, tmp_path, rule, capsys):
    assert main(["filter", str(scores), "--keep-if", rule, "--out", str(tmp_path / "k.parquet")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("vc-curate filter: error:") and len(err.splitlines()) == 1


def test_missing_scores_file(tmp_path, capsys):
    assert main(["filter", str(tmp_path / "nope.parquet"), "--keep-if", "quality > 1",
                 "--out", str(tmp_path / "k.parquet")]) == 2
    err = capsys.readouterr().err
    assert "cannot read scores" in err and "nope.parquet: it does not exist" in err
