"""Read the encoded bytes behind any record `uri`, including `shard.tar#member` and `table.parquet#row`."""

from __future__ import annotations

import os
import tarfile

import pyarrow.parquet as pq

from vc_curate.inputs.parquet_source import find_image_column
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES, is_url, local_path, open_uri, read_capped


def read_uri_bytes(uri: str, *, image_column: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes a record's uri names, refused past `max_bytes`; a local file that exists wins over `#` syntax."""
    if not is_url(uri) and os.path.lexists(local_path(uri)):
        with open_uri(uri) as f:
            return read_capped(f, max_bytes)
    base, sep, fragment = uri.rpartition("#")
    if sep and base.lower().endswith(".tar"):
        with open_uri(base) as f, tarfile.open(fileobj=f, mode="r:*") as tar:
            member = tar.extractfile(fragment)
            if member is None:
                raise FileNotFoundError(f"{fragment!r} is not a file in {base}")
            return read_capped(member, max_bytes)
    if sep and base.lower().endswith(".parquet") and fragment.isdigit():
        with open_uri(base) as f:
            pf = pq.ParquetFile(f)
            column = find_image_column(pf.schema_arrow, image_column)
            top, _, sub = column.partition(".")
            row = int(fragment)
            start = 0
            for group in range(pf.num_row_groups):
                n = pf.metadata.row_group(group).num_rows
                if row < start + n:
                    cell = pf.read_row_group(group, columns=[top]).column(top)[row - start].as_py()
                    data = cell.get(sub) if sub else cell
                    if not data:
                        raise ValueError(f"row {row} of {base} has no image bytes")
                    return data
                start += n
            raise IndexError(f"{base} has no row {row}")
    with open_uri(uri) as f:
        return read_capped(f, max_bytes)
