#!/usr/bin/env bash
# Set up vc-curate (base install) in .venv and score the example images: out/scores.parquet, out/report.html.
# Safe to run again: both files are replaced.
set -e
source "$(dirname "$0")/venv.sh"
pip_install -e .
mkdir -p out
"$VENV/bin/vc-curate" score examples/images --out out/scores.parquet --overwrite
"$VENV/bin/vc-curate" report out/scores.parquet --out out/report.html --overwrite
echo "open out/report.html (scores in out/scores.parquet)"
