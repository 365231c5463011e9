# Sourced by the setup scripts: cd to the repository, make .venv (or $VENV) and define `pip_install`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || { echo "creating $VENV"; python3 -m venv "$VENV"; }
pip_install() {  # one line per package as pip collects it; pip's whole log only if it fails
    local log
    log=$(mktemp)
    echo "installing into $VENV: $* (a first install downloads torch and more: a few minutes)"
    # constraints.txt pins versions tested together (and torch's CPU build)
    if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -c constraints.txt "$@" \
            2>&1 | tee "$log" | _pip_progress; then
        cat "$log"
        echo "install failed: see above" >&2
        exit 1
    fi
}
_pip_progress() {  # "Collecting torch==2.13.0" -> "  [12] torch==2.13.0"; then what was installed
    local line count=0
    while IFS= read -r line; do
        case $line in
            Collecting*) count=$((count + 1)); echo "  [$count] ${line#Collecting }" ;;
            "Installing collected packages"*) echo "  installing $count package$([ "$count" -eq 1 ] || echo s)..." ;;
            "Successfully installed"*) echo "  done" ;;
        esac
    done
}
