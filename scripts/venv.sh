# Sourced by the setup scripts: cd to the repository, make .venv (or $VENV) and define `pip_install`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
pip_install() {  # quiet unless it fails; constraints.txt pins versions tested together (and torch's CPU build)
    local log
    log=$(mktemp)
    "$VENV/bin/python" -m pip install --disable-pip-version-check -c constraints.txt "$@" >"$log" 2>&1 \
        || { cat "$log"; echo "install failed: see above" >&2; exit 1; }
}
