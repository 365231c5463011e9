"""Labels tables: CSV or Parquet with an image column (`uri`, or `filename` resolved against the
table's folder), `mos`, and optional `dataset`, `std`, the five attributes and `ai_generated` (0/1)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from vc_curate.errors import first_line


class LabelsError(ValueError):
    """A labels or scores table that cannot be used; the message is one line that says what to fix."""


def is_url(uri: str) -> bool:
    """True for `scheme://...` URIs other than `file://` (local paths are resolved, URLs kept as written)."""
    scheme = urlsplit(uri).scheme
    return len(scheme) > 1 and scheme != "file" and "://" in uri


def resolve_uri(uri: str) -> str:
    """The join key of an image: an absolute, symlink-free path for local files (relative ones taken
    against the working folder), the URI itself for URLs; a `#member` / `#row` suffix of a shard or
    Parquet source is kept."""
    path, sep, fragment = uri, "", ""
    head, hash_sep, tail = uri.rpartition("#")
    if hash_sep and head.lower().endswith((".tar", ".parquet")):
        path, sep, fragment = head, "#", tail
    if is_url(path):
        return uri
    if path.startswith("file://"):
        path = path[len("file://"):]
    return os.path.realpath(path) + sep + fragment


def resolve_filenames(filenames: list[str | None], folder: str) -> list[str | None]:
    """Join keys of `filename` values: `folder/filename` where that file exists, else the one file below
    `folder` whose path ends with `filename` (tables often sit beside an `images/` folder)."""
    below: dict[str, list[str]] | None = None
    keys: list[str | None] = []
    for name in filenames:
        if not name:
            keys.append(None)
            continue
        direct = os.path.join(folder, name)
        if not os.path.exists(direct) and not os.path.isabs(name):
            if below is None:
                below = {}
                for root, _, files in os.walk(folder):
                    for file in files:
                        below.setdefault(file, []).append(os.path.join(root, file))
            suffix = os.sep + os.path.normpath(name)
            found = [p for p in below.get(os.path.basename(name), []) if p.endswith(suffix)]
            if len(found) == 1:
                direct = found[0]
        keys.append(resolve_uri(direct))
    return keys


def read_table(path: str) -> pa.Table:
    """A CSV (by extension `.csv`/`.tsv`) or Parquet table (a file or a folder of parts)."""
    if not os.path.exists(path):
        raise LabelsError(f"{path} does not exist")
    try:
        lower = path.lower()
        if lower.endswith((".csv", ".tsv", ".csv.gz")):
            delimiter = "\t" if lower.endswith(".tsv") else ","
            return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delimiter))
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LabelsError(f"cannot read {path} as CSV or Parquet: {first_line(exc)}") from None


def read_labels(path: str) -> pa.Table:
    """The labels table with a `uri` column replaced by the resolved join key (see `resolve_uri`)."""
    table = read_table(path)
    names = table.column_names
    if "uri" in names:
        image_column = "uri"
    elif "filename" in names:
        image_column = "filename"
    else:
        raise LabelsError(f"{path} has no image column: name it `uri` (a path or URL) or `filename` "
                          f"(relative to the table's folder); its columns are {', '.join(names)}")
    if "mos" not in names:
        raise LabelsError(f"{path} has no `mos` column (the human opinion score); its columns are "
                          f"{', '.join(names)}")
    raw = table.column(image_column).cast(pa.string()).to_pylist()
    if image_column == "uri":
        keys = [resolve_uri(value) if value else None for value in raw]
        table = table.drop_columns(["uri"])
    else:
        keys = resolve_filenames(raw, os.path.dirname(os.path.abspath(path)))
    return table.append_column("uri", pa.array(keys, pa.string()))
