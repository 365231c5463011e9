"""Hostile inputs for the hardening tests, each a real file from a real encoder, then broken or bent."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.conftest import encode, scene

NON_UTF8_NAME = b"caf\xe9.png"  # Latin-1 bytes: not UTF-8, so Python names it with a surrogate


def png(seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    return encode(scene(size, seed))


def write_non_utf8_file(folder: Path) -> Path:
    path = os.fsencode(folder) + b"/" + NON_UTF8_NAME
    with open(path, "wb") as f:
        f.write(png(1))
    return Path(os.fsdecode(path))


def write_tar(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def deep_json(levels: int = 200_000) -> bytes:
    return b"[" * levels + b"]" * levels


def write_map_table(path: Path) -> Path:
    tags = pa.array([[("colour", 1), ("size", 2)], None], type=pa.map_(pa.string(), pa.int64()))
    pq.write_table(pa.table({"jpg": [png(2), png(3)], "tags": tags, "source": [7, 8]}), path)
    return path


def write_text_source_table(path: Path) -> Path:
    pq.write_table(pa.table({"jpg": [png(4)], "source": ["web"]}), path)
    return path
