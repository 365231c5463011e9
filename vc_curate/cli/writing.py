"""The rule every command that writes shares: an existing output needs --overwrite, an output that is also an
input (or another output of the same command) is refused whatever the flags, and each problem is one line."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from vc_curate.cli.main import UsageError
from vc_curate.inputs.paths import is_url


def _key(path: str) -> str:
    return os.path.realpath(path)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_not_inputs(outputs: dict[str, str | None], inputs: Iterable[str]) -> None:
    """Refuse an output that is an input, lies inside one or holds one, or that another output also names."""
    given = {flag: path for flag, path in outputs.items() if path and not is_url(path)}
    seen: dict[str, str] = {}
    for flag, path in given.items():
        key = _key(path)
        if key in seen:
            raise UsageError(f"{flag} and {seen[key]} name the same file {path}: the second would replace the first")
        seen[key] = flag
    sources = [_key(p) for p in inputs if p and not is_url(p)]
    for flag, path in given.items():
        key = _key(path)
        if any(_inside(key, source) or _inside(source, key) for source in sources):
            raise UsageError(f"{flag} {path} is also an input: writing it would destroy what is being read "
                             "(--overwrite does not change that); write somewhere else")


def check_outputs(outputs: dict[str, str | None], inputs: Iterable[str], *, overwrite: bool) -> None:
    """`outputs`: flag -> file (None: not given). Refuse what would lose data or fail late, as UsageErrors; make
    a missing folder an output goes in."""
    check_not_inputs(outputs, inputs)
    for flag, path in outputs.items():
        if not path or is_url(path):
            continue
        if os.path.isdir(path):
            raise UsageError(f"{flag} {path} is a folder: give a file name")
        if os.path.lexists(path) and not overwrite:
            raise UsageError(f"{flag} {path} already exists: pass --overwrite to replace it")
        folder = os.path.dirname(os.path.abspath(path))
        try:
            os.makedirs(folder, exist_ok=True)  # a missing folder is made, as `score` makes its folder of parts
        except OSError as exc:
            raise UsageError(f"{flag} {path}: cannot create folder {folder} ({exc.strerror})") from None
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageError(f"{flag} {path}: folder {folder} is not writable")


@contextmanager
def replacing(path: str) -> Iterator[str]:
    """A temporary name beside `path` to write to; renamed onto `path` on success, removed on any failure
    (a full disk leaves neither a torn output nor a temporary file)."""
    folder, name = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{name}-", suffix=os.path.splitext(name)[1], dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
