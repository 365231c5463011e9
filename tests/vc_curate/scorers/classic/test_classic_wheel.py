"""The fitted parameters ship: a wheel built from the repository, installed into a fresh venv, scores with
them (an editable install would hide a file missing from the package data)."""

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[4]

SCRIPT = """
import io, sys
import numpy as np
from PIL import Image
import vc_curate
from vc_curate.scorers.classic import ClassicScorer
assert vc_curate.__file__.startswith(sys.prefix), vc_curate.__file__
rng = np.random.default_rng(0)
buf = io.BytesIO()
Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8)).save(buf, "PNG")
rec = ClassicScorer(device="cpu").score([("noise.png", buf.getvalue())])[0]
assert rec.error is None and rec.quality is not None, rec
print(rec.scorer, rec.quality)
"""


@pytest.mark.slow
def test_a_built_wheel_scores_with_the_shipped_parameters(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("vc_curate-*.whl"))
    assert "vc_curate/scorers/classic/params.json" in zipfile.ZipFile(wheel).namelist()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    # the dependencies (torch, Pillow, ...) come from this environment, after the venv's own packages; a
    # path line in a .pth file does not run that environment's editable-install hooks
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([python, "-c", SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[0] == "classic/11"
