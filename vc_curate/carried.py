"""Source columns carried into records: plain values only, one Arrow type per column, text where kinds mix.

Sources hand nested values (maps, structs, lists) over as JSON text; the writers (the CLI's parts and Beam's
shards) give each carried column one type over all records with `merge_type`, so no input can stop a run.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from vc_curate.record import SCHEMA, Record, source_column_name

_FAST_TYPES = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64(), bytes: pa.binary()}
_PLAIN = (str, bool, int, float, bytes, datetime.date, datetime.time, datetime.timedelta, decimal.Decimal)


def printable(text: str) -> str:
    """`text`, with what UTF-8 cannot hold (a non-UTF-8 file name's escaped bytes) as `\\xNN` escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _escape(text)


def _escape(text: str) -> str:
    """Lone surrogates: U+DC80..U+DCFF (os.fsdecode's escaped bytes) as `\\xNN`, others as `\\udNNN`."""
    return "".join(ch if not 0xD800 <= ord(ch) <= 0xDFFF
                   else f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else f"\\u{ord(ch):04x}"
                   for ch in text)


def carried_value(value: Any) -> Any:
    """A value a Parquet column can hold alone: plain values as they are, anything nested as JSON text."""
    if value is None or isinstance(value, _PLAIN):
        return printable(value) if isinstance(value, str) else value
    return printable(json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True, default=str))


def _jsonable(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return {str(k): _jsonable(v) for k, v in value}  # an Arrow map: a list of (key, value) pairs
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def value_type(value: Any) -> pa.DataType:
    try:
        return _FAST_TYPES.get(type(value)) or pa.scalar(value).type
    except (pa.ArrowException, TypeError, ValueError):
        return pa.string()


def merge_type(a: pa.DataType | None, b: pa.DataType | None) -> pa.DataType | None:
    """One column type for two: equal stays, int with float is float, other mixes are text; None is unknown."""
    if a is None or pa.types.is_null(a):
        return b
    if b is None or pa.types.is_null(b) or a == b:
        return a
    if {a, b} == {pa.int64(), pa.float64()}:
        return pa.float64()
    return pa.string()  # mixed kinds of value: kept as text rather than lost


def extra_types(records: Iterable[Record]) -> dict[str, pa.DataType | None]:
    """The type of every carried column of `records`, by output column name (None: only nulls seen)."""
    types: dict[str, pa.DataType | None] = {}
    for rec in records:
        for key, value in rec.extra.items():
            name = source_column_name(key)
            types[name] = merge_type(types.get(name), None if value is None else value_type(value))
    return types


def output_schema(types: dict[str, pa.DataType | None]) -> pa.Schema:
    extras = [pa.field(name, typ or pa.null()) for name, typ in sorted(types.items())]
    return pa.schema(list(SCHEMA) + extras)


def records_table(records: list[Record], schema: pa.Schema | None = None) -> pa.Table:
    """The records as a table of `schema` (default: theirs); a value of another kind in a text column is text."""
    schema = schema if schema is not None else output_schema(extra_types(records))
    rows = [rec.to_dict() for rec in records]
    carried_text = [f.name for f in schema if pa.types.is_string(f.type) and f.name not in SCHEMA.names]
    for row in rows:  # a carried value of another kind than its column's: text, and the record says so
        mixed = [name for name in carried_text if row.get(name) is not None and not isinstance(row[name], str)]
        if mixed:
            row["notes"] = ";".join(filter(None, [row.get("notes"), *(f"{n}: mixed types, kept as text"
                                                                        for n in mixed)]))
    columns = []
    for f in schema:
        values = [row.get(f.name) for row in rows]
        if pa.types.is_string(f.type):
            values = [v if v is None else printable(v if isinstance(v, str) else _text(v)) for v in values]
        columns.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(columns, schema=schema)


def _text(value: Any) -> str:
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` with `schema`'s columns (missing ones null), each cast to its type, or as text where no cast is."""
    columns = []
    for f in schema:
        if f.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, f.type))
            continue
        column = table.column(f.name)
        try:
            columns.append(column.cast(f.type))
        except (pa.ArrowException, TypeError, ValueError):
            values = column.to_pylist()
            columns.append(pa.array([None if v is None else printable(_text(v)) for v in values], type=f.type))
    return pa.table(columns, schema=schema)


def unify(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for parts written at different times: fields in first-seen order, types merged."""
    fields: dict[str, pa.Field] = {}
    for schema in schemas:
        for f in schema:
            seen = fields.get(f.name)
            fields[f.name] = f if seen is None else seen.with_type(merge_type(seen.type, f.type))
    return pa.schema(list(fields.values()))
