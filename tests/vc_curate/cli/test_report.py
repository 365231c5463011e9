"""`vc-curate report`: writes the page from a scores Parquet; bad arguments are one line and exit 2."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from tests.vc_curate.evaluate.scored import make_images, score_to_parquet
from vc_curate.cli.main import main


def test_report_from_the_output_of_score(tmp_path, capsys):
    make_images(tmp_path / "images", 4)
    (tmp_path / "images" / "bad.jpg").write_bytes(b"no image")
    scores = tmp_path / "scores.parquet"
    assert main(["score", str(tmp_path / "images"), "--out", str(scores)]) == 0
    out = tmp_path / "report.html"
    assert main(["report", str(scores), "--out", str(out), "--top", "2"]) == 0
    assert f"report of 5 records: {out}" in capsys.readouterr().out
    page = out.read_text()
    # 4 thumbnails in the best and worst grids, more in the by-defect grids of a scorer that names defects
    assert page.count("data:image/jpeg;base64,") >= 4 and "1 of 5 inputs could not be scored" in page


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    scores = tmp_path / "scores.parquet"
    score_to_parquet(make_images(tmp_path / "images", 1), scores)
    pq.write_table(pa.table({"uri": ["a.jpg"], "mos": [3.0]}), tmp_path / "labels.parquet")
    out = str(tmp_path / "r.html")
    for argv, message in [
        (["report", str(tmp_path / "nope.parquet"), "--out", out], "does not exist"),
        (["report", str(tmp_path / "labels.parquet"), "--out", out], "not a scores table"),
        (["report", str(scores), "--out", str(tmp_path / "labels.parquet" / "r.html")],
         "cannot create folder"),
        (["report", str(scores), "--out", out, "--top", "0"], "--top 0"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("vc-curate report: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "r.html").exists()
