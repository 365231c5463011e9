"""Expand INPUT specs (files, folders, globs, fsspec URLs, .tar shards, .parquet tables) into ImageInputs.

One walk, shared by the CLI, the API and the Beam job (`resolve`, `keep_found`):
- a local path that exists is that file or folder, whatever glob, URL or `#member` syntax it contains;
- a URL needs a scheme (`s3://...`); a local glob has `*`, `?` or `[`;
- a folder is searched recursively (iteratively: any depth); in folders and globs only images, shards and
  tables are kept; a file named explicitly is an input whatever it holds;
- a spec that names nothing gets one error record, and the walk goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator

import fsspec

from vc_curate.carried import printable
from vc_curate.inputs.image_input import ImageInput
from vc_curate.inputs.parquet_source import iter_parquet_images
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES, is_url
from vc_curate.inputs.sniff import input_kind, looks_like_image
from vc_curate.inputs.tar_source import iter_tar_images

GLOB_CHARS = set("*?[")
NOTHING_MATCHES = "read failed: nothing to score"


def _fs_uri(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """`file://` URLs become local paths; others keep their protocol (memory://, s3://)."""
    protocols = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return local_uri(path) if "file" in protocols or "local" in protocols else fs.unstrip_protocol(path)


def local_uri(path: str) -> str:
    """Absolute (a stable key for --resume); a non-UTF-8 name as `\\xNN` escapes, which readers undo."""
    return printable(os.path.abspath(path))


def walk_folder(root: str) -> Iterator[str]:
    """Every file under `root`, depth first in name order, without recursion (a tree 1,100 levels deep is fine)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # an unreadable folder holds nothing we can read
        subfolders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
            else:
                yield entry.path
        stack.extend(reversed(subfolders))


def resolve(spec: str) -> Iterator[tuple[str, bool]]:
    """(uri, explicit) for every file a spec names; explicit files are inputs whatever they contain.

    Yields nothing when the spec names nothing (the caller makes that an error record)."""
    if not is_url(spec):
        if os.path.isdir(spec):
            yield from ((local_uri(p), False) for p in walk_folder(spec))
        elif os.path.lexists(spec):
            yield local_uri(spec), True
        elif any(c in GLOB_CHARS for c in spec):
            for p in sorted(glob.iglob(spec, recursive=True)):
                if os.path.isdir(p):
                    yield from ((local_uri(f), False) for f in walk_folder(p))
                else:
                    yield local_uri(p), False
        return
    fs, path = fsspec.core.url_to_fs(spec)
    if any(c in GLOB_CHARS for c in path):
        for p in sorted(fs.glob(path)):
            if fs.isdir(p):
                yield from ((_fs_uri(fs, f), False) for f in sorted(fs.find(p)))
            else:
                yield _fs_uri(fs, p), False
    elif fs.isdir(path):
        yield from ((_fs_uri(fs, p), False) for p in sorted(fs.find(path)))
    elif fs.exists(path):
        yield _fs_uri(fs, path), True


def keep_found(uri: str) -> bool:
    """In a folder or glob, keep image files by extension, shards, tables, and extension-less images."""
    kind = input_kind(uri)
    return kind != "other" and (kind != "unknown" or looks_like_image(uri))


def missing(spec: str) -> ImageInput:
    """The error record of a spec that names nothing."""
    uri = spec if is_url(spec) else local_uri(spec)
    why = "a folder without images, shards or tables" if os.path.isdir(spec) else "no such file or folder, and no match"
    return ImageInput(uri=uri, error=f"{NOTHING_MATCHES} in {printable(spec)!r}: {why}")


def expand_inputs(specs: Iterable[str], *, image_column: str | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ImageInput]:
    """One ImageInput per image named by `specs`, in a stable order, each spec walked once."""
    for spec in specs:
        found = False
        for uri, explicit in resolve(spec):
            if not explicit and not keep_found(uri):
                continue
            found = True
            kind = input_kind(uri)
            if kind == "tar":
                yield from iter_tar_images(uri, max_bytes=max_bytes)
            elif kind == "parquet":
                yield from iter_parquet_images(uri, image_column=image_column, max_bytes=max_bytes)
            else:
                yield ImageInput(uri=uri)
        if not found:
            yield missing(spec)
