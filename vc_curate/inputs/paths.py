"""What a uri names, and its bytes: a local path that exists wins over URL, glob and member syntax.

A uri is a URL only when it has a scheme (`s3://...`) and no such local path exists. Only regular files are
read: a FIFO named `x.jpg` would block the reader forever, a device would never end.
"""

from __future__ import annotations

import os
import re
import stat
from typing import BinaryIO

import fsspec

_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


class NotRegularFileError(OSError):
    """The path names a FIFO, socket, device or folder: nothing to read as an image."""


def is_url(uri: str) -> bool:
    return "://" in uri and not os.path.lexists(uri)


def local_path(uri: str) -> str:
    """The file a local uri names: itself when it exists, else its `\\xNN` escapes (from `printable`) undone."""
    if "\\x" not in uri or os.path.lexists(uri):
        return uri
    path = os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), uri.encode("utf-8")))
    return path if os.path.lexists(path) else uri


def open_uri(uri: str) -> BinaryIO:
    """A binary file object for a URL or a regular local file (opened without blocking on a FIFO)."""
    if is_url(uri):
        return fsspec.open(uri, "rb").open()
    path = local_path(uri)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise NotRegularFileError(f"{kind}: only regular files are read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
