"""One declaration per fact: a scorer plug-in, and a field added in one place, reach every front end.

The plug-in is a real package that the test installs with pip (its entry point in `vc_curate.scorers`); the new
field is one added line in a copy of `vc_curate/fields.py`. Nothing else is edited, and every front end runs in
a subprocess, as a user would run it.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.vc_curate.evaluate.scored import make_images

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "tests" / "support" / "toy_scorer"
NEW_FIELD = '    _score("glossiness", AMOUNT, "how glossy the image looks (an amount, not a grade)"),\n'

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    source = tmp_path_factory.mktemp("src") / "toy_scorer"
    shutil.copytree(TOY, source)  # pip builds in place; keep the repository clean
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(source)], check=True, capture_output=True, timeout=300)
    return target


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("images")
    make_images(folder, 4)
    return folder


def run(pythonpath: list[Path], *args: str) -> subprocess.CompletedProcess:
    """`python ARGS` with only `pythonpath` ahead of site-packages (`-m` puts the working folder first: `/`)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, pythonpath))}
    done = subprocess.run([sys.executable, *args], env=env, cwd="/", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def test_a_plugin_scorer_and_its_option_reach_the_api_the_cli_and_beam(plugin, images, tmp_path):
    path = [plugin, REPO]
    listed = run(path, "-c", "import vc_curate; print(vc_curate.list_scorers())").stdout
    assert "'toy'" in listed
    assert "--level" in run(path, "-m", "vc_curate.cli.main", "score", "--help").stdout
    run(path, "-m", "vc_curate.cli.main", "score", str(images), "--out", str(tmp_path / "s.parquet"),
        "--scorer", "toy", "--level", "70", "--quiet")
    rows = pq.read_table(tmp_path / "s.parquet").to_pylist()
    assert len(rows) == 4 and {(r["scorer"], r["quality"], r["sharpness"]) for r in rows} == {("toy/1", 70, 70)}
    run(path, "-m", "beam_jobs.curate", "--runner", "DirectRunner", "--input", str(images),
        "--output_dir", str(tmp_path / "beam"), "--keep_if", "quality >= 60", "--scorer", "toy", "--level", "70")
    kept = pq.read_table(tmp_path / "beam" / next(p.name for p in (tmp_path / "beam").glob("kept-*.parquet")))
    assert kept.num_rows == 4 and set(kept.column("quality").to_pylist()) == {70}


def test_a_field_declared_in_one_place_reaches_every_front_end(plugin, images, tmp_path):
    copy = tmp_path / "src"
    for package in ("vc_curate", "beam_jobs"):
        shutil.copytree(REPO / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    fields = copy / "vc_curate" / "fields.py"
    text = fields.read_text()
    anchor = '    _score("noisiness"'
    assert anchor in text
    fields.write_text(text.replace(anchor, NEW_FIELD + anchor, 1))  # the one edit
    path = [copy, plugin, REPO]
    scores = tmp_path / "s.parquet"
    run(path, "-m", "vc_curate.cli.main", "score", str(images), "--out", str(scores), "--scorer", "toy",
        "--level", "70", "--quiet")
    table = pq.read_table(scores)
    assert table.column("glossiness").to_pylist() == [70] * 4  # Parquet
    run(path, "-m", "vc_curate.cli.main", "filter", str(scores), "--keep-if", "glossiness >= 60",
        "--out", str(tmp_path / "kept.parquet"))  # the rule checker knows the field
    assert pq.read_table(tmp_path / "kept.parquet").num_rows == 4
    run(path, "-m", "vc_curate.cli.main", "report", str(scores), "--out", str(tmp_path / "r.html"))
    assert "glossiness" in (tmp_path / "r.html").read_text()  # the report
    with open(tmp_path / "labels.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["uri", "mos", "glossiness"])
        writer.writerows([str(p), 10 * i, 5 * i] for i, p in enumerate(sorted(images.iterdir())))
    evaluated = run(path, "-m", "vc_curate.cli.main", "evaluate", str(scores), "--labels",
                    str(tmp_path / "labels.csv")).stdout
    assert "glossiness" in evaluated  # evaluate compares it with the labels column of the same name
    fiftyone = run(path, "-c", "from vc_curate.fiftyone.fields import field_names; print(field_names())")
    assert "'glossiness': 'vc_glossiness'" in fiftyone.stdout  # FiftyOne
    run(path, "-m", "beam_jobs.curate", "--runner", "DirectRunner", "--input", str(images),
        "--output_dir", str(tmp_path / "beam"), "--keep_if", "glossiness >= 60", "--scorer", "toy",
        "--level", "70")
    kept = next((tmp_path / "beam").glob("kept-*.parquet"))
    assert pq.read_table(kept).column("glossiness").to_pylist() == [70] * 4  # Beam
