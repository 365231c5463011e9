"""What a uri names, and its bytes: a local path that exists wins over URL, glob and member syntax.

A uri is a URL only when it has a scheme (`s3://...`) and no such local path exists. Only regular files are
read: a FIFO named `x.jpg` would block the reader forever, a device would never end.
"""

from __future__ import annotations

import io
import os
import re
import stat
from typing import BinaryIO

import fsspec

DEFAULT_MAX_BYTES = 512 << 20  # bytes of one input (a file, a shard member, a table cell)
MAX_BYTES_IN_FLIGHT = 256 << 20  # encoded bytes a scorer holds queued ahead of its decoders (at least one input)
_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


class NotRegularFileError(OSError):
    """The path names a FIFO, socket, device or folder: nothing to read as an image."""


class TooLargeError(OSError):
    """The input holds more bytes than `--max-bytes`: refused before it is read into memory."""


def too_large(size: int, max_bytes: int) -> TooLargeError:
    return TooLargeError(f"{size:,} bytes is over the limit of {max_bytes:,} (raise it with --max-bytes)")


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


def read_capped(f: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """All of `f`, refused past `max_bytes` (a regular file's size is checked before anything is read)."""
    if isinstance(getattr(f, "raw", f), io.FileIO):  # a local file (a tar member's fileno is its shard's)
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise too_large(size, max_bytes)
    data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(len(data), max_bytes)
    return data
