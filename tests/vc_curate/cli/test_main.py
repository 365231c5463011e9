"""`python -m vc_curate.cli.main` behaves as the console script: a usage error is one line and exit 2."""

from __future__ import annotations

import subprocess
import sys


def test_module_run_gives_one_line_usage_errors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "vc_curate.cli.main", "filter", str(tmp_path / "missing.parquet"),
                           "--keep-if", "quality > 1", "--out", str(tmp_path / "k.parquet")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("vc-curate filter: error: cannot read scores")
    assert len(done.stderr.strip().splitlines()) == 1
