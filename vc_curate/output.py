"""Write records as a Parquet dataset in parts committed atomically, so a killed run can resume.

`--out scores.parquet` collects parts in `scores.parquet.parts/` and merges them into one file at the end;
any other `--out` is a folder of `part-NNNNN.parquet` files. Either reads whole with `pq.read_table(OUT)`.
"""

from __future__ import annotations

import os
import time
import uuid

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.carried import conform, records_table, unify
from vc_curate.record import Record


class OutputExistsError(Exception):
    """The output is already there and the user asked neither to resume nor to overwrite it."""


def _is_single_file(out: str) -> bool:
    return out.lower().endswith(".parquet")


class RecordWriter:
    def __init__(self, out: str, *, resume: bool = False, overwrite: bool = False,
                 rows_per_part: int = 1000, seconds_per_part: float = 60.0):
        self.out = out
        self.fs, self.path = fsspec.core.url_to_fs(out)
        self.single = _is_single_file(out)
        self.parts_dir = self.path + ".parts" if self.single else self.path
        self.rows_per_part = rows_per_part
        self.seconds_per_part = seconds_per_part
        self._buffer: list[Record] = []
        self._last_flush = time.monotonic()
        existing = self._existing_files()
        if existing and not (resume or overwrite):
            raise OutputExistsError(
                f"{out} already has results: pass --resume to score only what is missing, or --overwrite to replace them"
            )
        if existing and overwrite:
            for f in existing:
                self.fs.rm(f)
            existing = []
        self.done: dict[str, str | None] = {}
        for f in existing:
            t = pq.read_table(f, columns=["uri", "sha256"], filesystem=self.fs)
            self.done.update(zip(t.column("uri").to_pylist(), t.column("sha256").to_pylist()))
        self._next = 1 + max((int(os.path.basename(f)[5:10]) for f in self._part_files()), default=-1)
        self.fs.makedirs(self.parts_dir, exist_ok=True)

    def _part_files(self) -> list[str]:
        if not self.fs.isdir(self.parts_dir):
            return []
        return sorted(f for f in self.fs.ls(self.parts_dir, detail=False)
                      if os.path.basename(f).startswith("part-") and f.endswith(".parquet"))

    def _existing_files(self) -> list[str]:
        final = [self.path] if self.single and self.fs.isfile(self.path) else []
        return final + self._part_files()

    def already_done(self, uri: str, sha256: str | None) -> bool:
        """Resume key: the same uri with the same bytes was scored (its record, error or not, is kept)."""
        return uri in self.done and self.done[uri] == sha256

    def write(self, record: Record) -> None:
        self._buffer.append(record)
        if len(self._buffer) >= self.rows_per_part or time.monotonic() - self._last_flush >= self.seconds_per_part:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        table = records_table(self._buffer)
        name = f"{self.parts_dir}/part-{self._next:05d}.parquet"
        tmp = f"{self.parts_dir}/.tmp-{uuid.uuid4().hex}.parquet"
        pq.write_table(table, tmp, filesystem=self.fs)
        self.fs.mv(tmp, name)  # a part is either whole or absent
        self._next += 1
        self._buffer.clear()
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush, then give the dataset one schema: stream the parts into the single file, or align them."""
        self.flush()
        files = self._existing_files()
        schemas = [pq.read_schema(f, filesystem=self.fs) for f in files]
        schema = unify(schemas) if schemas else records_table([]).schema
        if self.single:
            tmp = f"{self.path}.tmp-{uuid.uuid4().hex}"
            with pq.ParquetWriter(tmp, schema, filesystem=self.fs) as writer:
                for f in files:  # one part in memory at a time
                    writer.write_table(conform(pq.read_table(f, filesystem=self.fs), schema))
            self.fs.mv(tmp, self.path)
            if self.fs.isdir(self.parts_dir):
                self.fs.rm(self.parts_dir, recursive=True)
            return
        for f, part_schema in zip(files, schemas):
            if not part_schema.equals(schema):
                pq.write_table(conform(pq.read_table(f, filesystem=self.fs), schema), f, filesystem=self.fs)

