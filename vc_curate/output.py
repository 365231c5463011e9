"""Write records as a Parquet dataset in parts committed atomically, so a killed run can resume.

`--out scores.parquet` collects parts in `scores.parquet.parts/` and merges them into one file at the end;
any other `--out` is a folder of `part-NNNNN.parquet` files. Either reads whole with `pq.read_table(OUT)`.

Every step is atomic (written under a temporary name, then renamed) and can be repeated: the merged file
records in its metadata the part numbers it holds, so parts a killed `close()` left behind are recognised
and removed instead of being counted twice. A local OUT is locked (`vc_curate.lock`) while written.
"""

from __future__ import annotations

import os
import time
import uuid

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.carried import conform, records_table, unify
from vc_curate.inputs.paths import is_url
from vc_curate.lock import OutputLock
from vc_curate.record import Record

MERGED_BELOW = b"vc_curate.merged_below"  # metadata of the merged file: parts numbered below this are in it


class OutputExistsError(Exception):
    """The output is already there and the user asked neither to resume nor to overwrite it."""


def _is_single_file(out: str) -> bool:
    return out.lower().endswith(".parquet")


def _part_number(path: str) -> int:
    return int(os.path.basename(path)[5:10])


class RecordWriter:
    """Records into OUT. With `resume`, the records already there whose uri and bytes match an input (and, unless
    `keep_old_versions`, whose scorer is `scorer_version`) count as done; an earlier record of a uri scored
    again in this run (its bytes changed, or its scorer version did) is dropped at `close()`."""

    def __init__(self, out: str, *, resume: bool = False, overwrite: bool = False, scorer_version: str | None = None,
                 keep_old_versions: bool = False, rows_per_part: int = 1000, seconds_per_part: float = 60.0):
        self.out = out
        if is_url(out):
            self.fs, self.path = fsspec.core.url_to_fs(out)
            self._lock = None
        else:
            self.fs, self.path = fsspec.filesystem("file"), os.path.abspath(out)
        self.single = _is_single_file(out)
        self.parts_dir = self.path + ".parts" if self.single else self.path
        self.rows_per_part = rows_per_part
        self.seconds_per_part = seconds_per_part
        self.scorer_version, self.keep_old_versions = scorer_version, keep_old_versions
        self._buffer: list[Record] = []
        self._last_flush = time.monotonic()
        self._replaced: set[str] = set()  # uris scored again in this run: their earlier records go
        if not is_url(out):
            lock_path = self.path + ".lock" if self.single else os.path.join(self.path, ".lock")
            # the folder OUT goes in is created when missing, as the folder of parts is
            os.makedirs(os.path.dirname(self.path) if self.single else self.path, exist_ok=True)
            self._lock = OutputLock(lock_path, out)
            self._lock.acquire()
        try:
            self._open(resume, overwrite)
        except BaseException:
            self._release()
            raise

    def _open(self, resume: bool, overwrite: bool) -> None:
        self._finish_interrupted_close()
        existing = self._existing_files()
        if existing and not (resume or overwrite):
            raise OutputExistsError(
                f"{self.out} already has results: pass --resume to score only what is missing, or --overwrite to "
                "replace them"
            )
        if existing and overwrite:
            for f in existing:
                self.fs.rm(f)
            existing = []
        self._earlier = existing  # files written before this run
        self.done: dict[str, set[tuple[str | None, str | None]]] = {}
        for f in existing:
            t = pq.read_table(f, columns=["uri", "sha256", "scorer"], filesystem=self.fs)
            for uri, sha, scorer in zip(*(t.column(c).to_pylist() for c in ("uri", "sha256", "scorer"))):
                self.done.setdefault(uri, set()).add((sha, scorer))
        self._next = max([1 + _part_number(f) for f in self._part_files()] + [self._merged_below()])
        self.fs.makedirs(self.parts_dir, exist_ok=True)

    # -- what is there ------------------------------------------------------------------------------------
    def _part_files(self) -> list[str]:
        if not self.fs.isdir(self.parts_dir):
            return []
        return sorted(f for f in self.fs.ls(self.parts_dir, detail=False)
                      if os.path.basename(f).startswith("part-") and f.endswith(".parquet"))

    def _existing_files(self) -> list[str]:
        final = [self.path] if self.single and self.fs.isfile(self.path) else []
        return final + self._part_files()

    def _merged_below(self) -> int:
        if not (self.single and self.fs.isfile(self.path)):
            return 0
        meta = pq.read_schema(self.path, filesystem=self.fs).metadata or {}
        return int(meta.get(MERGED_BELOW, b"0"))

    def _finish_interrupted_close(self) -> None:
        """Remove what a killed run left: temporary files, and parts its merged file already holds."""
        folder = os.path.dirname(self.path)
        prefix = os.path.basename(self.path) + ".tmp-"
        leftovers = [f for f in self._ls(folder) if os.path.basename(f).startswith(prefix)]
        leftovers += [f for f in self._ls(self.parts_dir) if os.path.basename(f).startswith(".tmp-")]
        merged = self._merged_below()
        leftovers += [f for f in self._part_files() if _part_number(f) < merged]
        for f in leftovers:
            self.fs.rm(f)

    def _ls(self, folder: str) -> list[str]:
        return self.fs.ls(folder, detail=False) if self.fs.isdir(folder) else []

    # -- resume -------------------------------------------------------------------------------------------
    def already_done(self, uri: str, sha256: str | None) -> bool:
        """Resume key: the same uri with the same bytes was scored (its record, error or not, is kept), by this
        scorer version unless old versions are kept."""
        return any(sha == sha256 and (self.keep_old_versions or self.scorer_version is None
                                      or scorer == self.scorer_version) for sha, scorer in self.done.get(uri, ()))

    # -- writing ------------------------------------------------------------------------------------------
    def write(self, record: Record) -> None:
        if record.uri in self.done:
            self._replaced.add(record.uri)  # scored again: its bytes or its scorer version changed
        self._buffer.append(record)
        if len(self._buffer) >= self.rows_per_part or time.monotonic() - self._last_flush >= self.seconds_per_part:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        table = records_table(self._buffer)
        name = f"{self.parts_dir}/part-{self._next:05d}.parquet"
        self._atomic_write(name, lambda tmp: pq.write_table(table, tmp, filesystem=self.fs), self.parts_dir)
        self._next += 1
        self._buffer.clear()
        self._last_flush = time.monotonic()

    def _atomic_write(self, path: str, write, folder: str) -> None:
        """`write(tmp)` then rename onto `path`: the file is whole or absent; a failed write leaves no tmp."""
        tmp = (f"{folder}/.tmp-{uuid.uuid4().hex}.parquet" if folder != os.path.dirname(self.path)
               else f"{self.path}.tmp-{uuid.uuid4().hex}")
        try:
            write(tmp)
            self.fs.mv(tmp, path)
        except BaseException:
            if self.fs.exists(tmp):
                self.fs.rm(tmp)
            raise

    def close(self) -> None:
        """Flush, then give the dataset one schema and drop replaced records: stream the parts into the single
        file, or rewrite the parts that need it. Each step is atomic; a killed close is finished by the next run."""
        try:
            self.flush()
            files = self._existing_files()
            schemas = [pq.read_schema(f, filesystem=self.fs) for f in files]
            schema = unify(schemas) if schemas else records_table([]).schema
            schema = schema.remove_metadata()
            if self.single:
                self._merge(files, schema)
                return
            for f, part_schema in zip(files, schemas):
                stale = f in self._earlier and self._replaced
                if stale or not part_schema.remove_metadata().equals(schema):
                    table = self._without_replaced(conform(pq.read_table(f, filesystem=self.fs), schema), f)
                    self._atomic_write(f, lambda tmp, t=table: pq.write_table(t, tmp, filesystem=self.fs),
                                       self.parts_dir)
        finally:
            self._release()

    def _merge(self, files: list[str], schema: pa.Schema) -> None:
        schema = schema.with_metadata({MERGED_BELOW: str(self._next).encode()})

        def write(tmp: str) -> None:
            with pq.ParquetWriter(tmp, schema, filesystem=self.fs) as writer:
                for f in files:  # one part in memory at a time
                    table = conform(pq.read_table(f, filesystem=self.fs), schema.remove_metadata())
                    writer.write_table(self._without_replaced(table, f).replace_schema_metadata(schema.metadata))

        self._atomic_write(self.path, write, os.path.dirname(self.path))  # the commit point
        if self.fs.isdir(self.parts_dir):
            self.fs.rm(self.parts_dir, recursive=True)  # a kill before this: the next run removes the parts

    def _without_replaced(self, table: pa.Table, path: str) -> pa.Table:
        if path not in self._earlier or not self._replaced:
            return table
        uris = table.column("uri").to_pylist()
        return table.filter(pa.array([u not in self._replaced for u in uris]))

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
