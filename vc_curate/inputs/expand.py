"""Expand INPUT specs (files, folders, globs, fsspec URLs, .tar shards, .parquet tables) into ImageInputs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

import fsspec

from vc_curate.carried import printable
from vc_curate.inputs.image_input import ImageInput
from vc_curate.inputs.parquet_source import count_parquet_rows, iter_parquet_images
from vc_curate.inputs.sniff import input_kind, looks_like_image
from vc_curate.inputs.tar_source import count_tar_images, iter_tar_images

GLOB_CHARS = set("*?[")


def _uri(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """Local files get absolute paths (stable keys for --resume); others keep their protocol (memory://, s3://)."""
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    if "file" in protocols or "local" in protocols:
        return printable(os.path.abspath(path))  # a non-UTF-8 name as `\xNN` escapes: `read_uri_bytes` undoes them
    return fs.unstrip_protocol(path)


def _resolve(spec: str) -> Iterator[tuple[str, bool]]:
    """(uri, explicit) for every file a spec names; explicit files are inputs whatever they contain."""
    fs, path = fsspec.core.url_to_fs(spec)
    if any(c in GLOB_CHARS for c in path):
        for p in sorted(fs.glob(path)):
            if fs.isdir(p):
                yield from ((_uri(fs, f), False) for f in sorted(fs.find(p)))
            else:
                yield _uri(fs, p), False
    elif fs.isdir(path):
        for p in sorted(fs.find(path)):
            yield _uri(fs, p), False
    else:
        # A missing explicit file still yields one record (its error), never a silent drop.
        yield _uri(fs, path), True


def _keep_found(uri: str) -> bool:
    """In a folder or glob, keep image files by extension, shards, tables, and extension-less images."""
    kind = input_kind(uri)
    return kind != "other" and (kind != "unknown" or looks_like_image(uri))


def expand_inputs(specs: Iterable[str], *, image_column: str | None = None) -> Iterator[ImageInput]:
    """One ImageInput per image named by `specs`, in a stable order."""
    for spec in specs:
        for uri, explicit in _resolve(spec):
            if not explicit and not _keep_found(uri):
                continue
            kind = input_kind(uri)
            if kind == "tar":
                yield from iter_tar_images(uri)
            elif kind == "parquet":
                yield from iter_parquet_images(uri, image_column=image_column)
            else:
                yield ImageInput(uri=uri)


def count_inputs(specs: Iterable[str], *, image_column: str | None = None) -> int:
    """How many ImageInputs `expand_inputs` will yield, without reading any image (for progress bars)."""
    total = 0
    for spec in specs:
        for uri, explicit in _resolve(spec):
            if not explicit and not _keep_found(uri):
                continue
            kind = input_kind(uri)
            if kind == "tar":
                total += count_tar_images(uri)
            elif kind == "parquet":
                total += count_parquet_rows(uri)
            else:
                total += 1
    return total
