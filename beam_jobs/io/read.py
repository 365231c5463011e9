"""Match input patterns on any filesystem Beam knows and read them into `ImageInput`s carrying their bytes.

Plain image files are read through Beam's `FileSystems`; WebDataset `.tar` shards and Parquet tables are
expanded with `vc_curate.inputs` (through fsspec, so remote shards need the store's fsspec driver). Inputs
that cannot be had become error records on the `failed` output (the dead letters), never exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from beam_jobs.metrics import counter
from vc_curate.carried import printable
from vc_curate.inputs import ImageInput
from vc_curate.inputs.parquet_source import iter_parquet_images
from vc_curate.inputs.expand import GLOB_CHARS, local_uri, missing, resolve
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES, is_url, open_uri, read_capped
from vc_curate.inputs.sniff import input_kind, magic_is_image
from vc_curate.inputs.tar_source import iter_tar_images
from vc_curate.record import Record

FAILED = "failed"
MEMBERS = "members"  # inputs from shards and tables: many per file, so they are spread over workers again


def _uri(path: str) -> str:
    """Local paths become absolute (stable keys for --previous_output); others keep their scheme."""
    return path if is_url(path) else local_uri(path)


class MatchInputs(beam.DoFn):
    """pattern -> (uri, explicit), by the CLI's rules (`vc_curate.inputs.expand`): a local path that exists
    wins over glob syntax, folders are searched recursively, in folders and globs only images, shards and
    tables are inputs, and a pattern that names nothing is one error record. Local patterns are walked by
    the same code as the CLI's; URLs through Beam's FileSystems (any store Beam knows)."""

    def process(self, pattern: str) -> Iterator:
        try:
            found = list(resolve(pattern) if not is_url(pattern) else self._match_url(pattern))
        except Exception as exc:  # a filesystem that refuses the pattern: one error record for it
            why = f"cannot match: {type(exc).__name__}: {exc}"
            yield beam.pvalue.TaggedOutput(FAILED, _failed(_uri(pattern), why))
            return
        kept = [(uri, explicit) for uri, explicit in found if explicit or input_kind(uri) != "other"]
        if not kept:
            item = missing(pattern)
            yield beam.pvalue.TaggedOutput(FAILED, _failed(item.uri, item.error.removeprefix("read failed: ")))
        yield from kept

    def _match_url(self, pattern: str) -> Iterator[tuple[str, bool]]:
        if any(c in GLOB_CHARS for c in pattern):
            yield from ((path, False) for path in self._match(pattern))
            return
        inside = self._match(FileSystems.join(pattern, "**"))
        yield from ((path, False) for path in inside)
        if not inside:
            yield from ((path, True) for path in self._match(pattern))

    @staticmethod
    def _match(pattern: str) -> list[str]:
        return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


class ReadInputs(beam.DoFn):
    """(uri, explicit) -> an ImageInput with bytes per image: the file (main output), each shard member and
    each table row (on `members`)."""

    def __init__(self, image_column: str | None = None, max_bytes: int | None = None):
        self.image_column = image_column
        self.max_bytes = max_bytes or DEFAULT_MAX_BYTES

    def process(self, element: tuple[str, bool]) -> Iterator:
        uri, explicit = element
        kind = input_kind(uri)
        try:
            if kind == "tar":
                items = iter_tar_images(uri, max_bytes=self.max_bytes)
            elif kind == "parquet":
                items = iter_parquet_images(uri, image_column=self.image_column, max_bytes=self.max_bytes)
            else:
                items = self._read_file(uri, sniff=kind == "unknown" and not explicit, max_bytes=self.max_bytes)
            tag = MEMBERS if kind in ("tar", "parquet") else None
            for item in items:
                yield from _route(item, tag)
        except Exception as exc:  # e.g. no fsspec driver for the shard's scheme: the container's error
            yield from _route(ImageInput(uri=uri, error=f"{type(exc).__name__}: {exc}"))

    @staticmethod
    def _read_file(uri: str, sniff: bool, max_bytes: int) -> Iterator[ImageInput]:
        try:
            if is_url(uri):
                with FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED) as f:
                    data = read_capped(f, max_bytes)
            else:
                with open_uri(uri) as f:  # regular files only
                    data = read_capped(f, max_bytes)
        except Exception as exc:
            yield ImageInput(uri=uri, error=f"{type(exc).__name__}: {exc}")
            return
        if sniff and not magic_is_image(data[:16]):
            counter("not_images").inc()  # an extension-less non-image found in a folder is not an input
            return
        yield ImageInput(uri=uri, data=data)


def _failed(uri: str, why: str, extra: dict | None = None) -> Record:
    counter("errors_read").inc()
    return Record.failed(printable(uri), f"read failed: {why}", extra=extra)


def _route(item: ImageInput, tag: str | None = None) -> Iterator:
    item.uri = printable(item.uri)  # a non-UTF-8 file name, read already, is named with `\xNN` escapes
    if item.error is not None:
        yield beam.pvalue.TaggedOutput(FAILED, _failed(item.uri, item.error, item.extra))
    else:
        counter("read").inc()
        yield item if tag is None else beam.pvalue.TaggedOutput(tag, item)
