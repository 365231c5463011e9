#!/usr/bin/env bash
# Set up vc-curate (base install) in .venv and score the example images: out/scores.parquet, out/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
install() { "$@" >"$log" 2>&1 || { cat "$log"; echo "install failed: see above" >&2; exit 1; }; }
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
install "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e .
mkdir -p out
"$VENV/bin/vc-curate" score examples/images --out out/scores.parquet --overwrite
"$VENV/bin/vc-curate" report out/scores.parquet --out out/report.html
echo "open out/report.html (scores in out/scores.parquet)"
