"""Parquet tables with an image-bytes column (img2dataset's `jpg`, or `image` / `image.bytes`)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.carried import carried_value
from vc_curate.inputs.image_input import ImageInput
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES, open_uri, too_large

CANDIDATE_COLUMNS = ("jpg", "jpeg", "png", "webp", "image", "img", "image_bytes", "bytes")


BATCH_BYTES = 64 << 20  # rows are read in batches of about this many bytes (at most `batch_rows` rows)


def _rows_within(pf: pq.ParquetFile, budget: int) -> int:
    """How many rows of average size (from the footer) fit in `budget` bytes; at least one."""
    md = pf.metadata
    if not md.num_rows:
        return 1
    total = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
    return max(1, budget * md.num_rows // max(1, total))


class ImageColumnError(ValueError):
    """The table has no usable image-bytes column."""


def _binary(typ: pa.DataType) -> bool:
    return pa.types.is_binary(typ) or pa.types.is_large_binary(typ)


def find_image_column(schema: pa.Schema, wanted: str | None = None) -> str:
    """Name of the bytes column; `image.bytes` means the `bytes` field of a struct column `image`."""
    names = [wanted] if wanted else list(CANDIDATE_COLUMNS)
    for name in names:
        top, _, sub = name.partition(".")
        if top not in schema.names:
            continue
        typ = schema.field(top).type
        if not sub and _binary(typ):
            return name
        if pa.types.is_struct(typ):
            sub = sub or "bytes"
            if typ.get_field_index(sub) >= 0 and _binary(typ.field(sub).type):
                return f"{top}.{sub}"
    binary_columns = [f.name for f in schema if _binary(f.type)]
    hint = f"; binary columns here: {', '.join(binary_columns)}" if binary_columns else ""
    which = f"column {wanted!r}" if wanted else f"any of {', '.join(CANDIDATE_COLUMNS)}"
    raise ImageColumnError(f"no image-bytes {which} (choose one with --image-column){hint}")


def iter_parquet_images(uri: str, *, image_column: str | None = None, batch_rows: int = 256,
                        max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ImageInput]:
    """One ImageInput per row, `uri` = `file.parquet#row`; the row's other columns go into `extra`."""
    try:
        with open_uri(uri) as f:
            pf = pq.ParquetFile(f)
            column = find_image_column(pf.schema_arrow, image_column)
            top, _, sub = column.partition(".")
            row = 0
            for batch in pf.iter_batches(batch_size=min(batch_rows, _rows_within(pf, BATCH_BYTES))):
                rows = batch.to_pylist()
                for values in rows:
                    cell = values.pop(top)
                    data = cell.get(sub) if sub and isinstance(cell, dict) else cell
                    if sub and isinstance(cell, dict):
                        values.update({f"{top}.{k}": v for k, v in cell.items() if k != sub})
                    error = None if data else f"row {row} has no bytes in column {column!r}"
                    if data and len(data) > max_bytes:
                        data, error = None, f"read failed: {too_large(len(data), max_bytes)}"
                    extra = {k: carried_value(v) for k, v in values.items()}  # maps, lists, structs: as JSON text
                    yield ImageInput(uri=f"{uri}#{row}", data=data or None, extra=extra, error=error)
                    row += 1
    except (OSError, pa.ArrowException, ImageColumnError) as exc:
        yield ImageInput(uri=uri, error=f"cannot read Parquet table: {exc}")

