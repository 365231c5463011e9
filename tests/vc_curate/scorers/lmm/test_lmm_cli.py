"""`vc-curate score --scorer lmm` on a real (tiny) checkpoint folder, and its one-line errors."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from tests.conftest import encode, scene
from vc_curate.cli.main import main


@pytest.mark.slow
def test_score_with_the_lmm_scorer_writes_parquet(checkpoints, tmp_path, capsys):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(3):
        (folder / f"img{i}.png").write_bytes(encode(scene((96 + 16 * i, 64), seed=i)))
    out = tmp_path / "scores.parquet"
    code = main(["score", str(folder), "--out", str(out), "--scorer", "lmm", "--model", checkpoints["qwen2_vl"],
                 "--dtype", "float32", "--device", "cpu", "--batch-size", "2", "--quiet"])
    assert code == 0, capsys.readouterr().err
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == 3
    for row in rows:
        assert row["error"] is None and row["scorer"].startswith("lmm/")
        assert row["provenance"].startswith("lmm:") and row["authenticity"] in ("photographic", "ai-generated")


def test_missing_model_folder_is_a_one_line_usage_error(tmp_path, capsys):
    (tmp_path / "a.png").write_bytes(encode(scene()))
    code = main(["score", str(tmp_path / "a.png"), "--out", str(tmp_path / "o.parquet"), "--scorer", "lmm",
                 "--model", str(tmp_path / "no-model-here")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "does not exist; point --model at a local folder" in err
