"""`vc-curate evaluate`: the printed table, --plot, --json, and one-line errors for bad arguments."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO
from tests.vc_curate.evaluate.scored import make_images, score_to_parquet
from vc_curate.cli.main import main

AGIQA = REPO.parent / "shared" / "data" / "agiqa3k-dev"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_eval")
    table = score_to_parquet(make_images(folder / "images", 10), folder / "scores.parquet")
    quality = np.array(table.column("quality").to_pylist())
    names = [u.rsplit("/", 1)[1] for u in table.column("uri").to_pylist()]
    rows = [f"images/{n},{q / 20 + (i % 3) * 0.3:.3f},{'ab'[i % 2]}"
            for i, (n, q) in enumerate(zip(names, quality))]
    (folder / "labels.csv").write_text("filename,mos,generator\n" + "\n".join(rows) + "\n")
    return folder


def test_prints_figures_per_group_and_writes_plot_and_json(scored, tmp_path, capsys):
    argv = ["evaluate", str(scored / "scores.parquet"), "--labels", str(scored / "labels.csv"),
            "--group-by", "generator", "--plot", str(tmp_path / "scatter.png"),
            "--json", str(tmp_path / "e.json"), "--bootstrap", "200"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "10 of 10 labelled images have a score record." in out
    assert "0 scored images have no label (left out)." in out
    assert "Per group of `generator` (2 groups)." in out
    header = next(line for line in out.splitlines() if line.startswith("score vs label"))
    assert "SRCC" in header and "PLCC" in header
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("quality", "a ", "b "))]
    assert [r[3] if r[0] == "quality" else r[0] for r in rows] == ["all", "a", "b"]
    assert all(len(r) == (11 if r[0] == "quality" else 8) for r in rows)  # group, n, two figures with CIs
    figures = json.loads((tmp_path / "e.json").read_text())
    assert figures["group_by"] == "generator" and figures["matched"] == 10 and figures["unlabelled"] == 0
    overall = [m for m in figures["metrics"] if m["group"] == "all" and m["metric"] == "spearman"][0]
    assert overall["n"] == 10 and overall["low"] <= overall["value"] <= overall["high"]
    assert Image.open(tmp_path / "scatter.png").format == "PNG"


def test_bad_arguments_are_one_line_errors(scored, tmp_path, capsys):
    (tmp_path / "other.csv").write_text("filename,mos\nelsewhere.png,3\n")
    scores, labels = str(scored / "scores.parquet"), str(scored / "labels.csv")
    for argv, message in [
        (["evaluate", scores, "--labels", str(tmp_path / "none.csv")], "none.csv does not exist"),
        (["evaluate", str(tmp_path / "none.parquet"), "--labels", labels], "none.parquet does not exist"),
        (["evaluate", scores, "--labels", str(tmp_path / "other.csv")], "no labelled image has a score"),
        (["evaluate", scores, "--labels", labels, "--group-by", "prompt"], "no column `prompt` to group by"),
        (["evaluate", scores, "--labels", labels, "--plot", str(tmp_path / "other.csv" / "s.png")],
         "cannot create folder"),
    ]:
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.err.startswith("vc-curate evaluate: error: ") and message in captured.err
        assert captured.err.count("\n") == 1 and captured.out == ""


@pytest.mark.slow
def test_on_agiqa_images_per_generator(tmp_path, capsys):
    """Real AI-generated images with human scores: 10 per generator, read in place from ../shared/data."""
    lines = (AGIQA / "labels.csv").read_text().splitlines()
    picked = [lines[0]] + [line for i, line in enumerate(lines[1:]) if i % 30 == 0]
    (tmp_path / "labels.csv").write_text("\n".join(picked) + "\n")
    files = [str(AGIQA / "images" / line.split(",")[0]) for line in picked[1:]]
    assert main(["score", *files, "--out", str(tmp_path / "scores.parquet")]) == 0
    # the subset's labels table sits elsewhere: give it absolute uris instead of filenames
    rows = [",".join([f] + line.split(",")[1:]) for f, line in zip(files, picked[1:])]
    (tmp_path / "labels.csv").write_text("uri," + lines[0].split(",", 1)[1] + "\n" + "\n".join(rows) + "\n")
    assert main(["evaluate", str(tmp_path / "scores.parquet"), "--labels", str(tmp_path / "labels.csv"),
                 "--group-by", "generator", "--bootstrap", "200"]) == 0
    out = capsys.readouterr().out
    assert f"{len(files)} of {len(files)} labelled images have a score record." in out
    assert all(g in out for g in ("AttnGAN_normal", "glide_normal", "midjourney_lowstep", "sd1.5_lowstep"))
