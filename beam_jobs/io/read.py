"""Match input patterns on any filesystem Beam knows and read them into `ImageInput`s carrying their bytes.

Plain image files are read through Beam's `FileSystems`; WebDataset `.tar` shards and Parquet tables are
expanded with `vc_curate.inputs` (through fsspec, so remote shards need the store's fsspec driver). Inputs
that cannot be had become error records on the `failed` output (the dead letters), never exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from beam_jobs.metrics import counter
from vc_curate.carried import printable
from vc_curate.inputs import ImageInput
from vc_curate.inputs.parquet_source import iter_parquet_images
from vc_curate.inputs.paths import is_url, open_uri
from vc_curate.inputs.sniff import input_kind, magic_is_image
from vc_curate.inputs.tar_source import iter_tar_images
from vc_curate.record import Record

FAILED = "failed"
MEMBERS = "members"  # inputs from shards and tables: many per file, so they are spread over workers again
GLOB_CHARS = set("*?[")


def _uri(path: str) -> str:
    """Local paths become absolute (stable keys for --previous_output); others keep their scheme."""
    return path if "://" in path else os.path.abspath(path)


class MatchInputs(beam.DoFn):
    """pattern -> (uri, explicit). A pattern without wildcards names a file (an input whatever it holds) or a
    folder (searched recursively); in folders and globs only images, shards and tables are inputs."""

    def process(self, pattern: str) -> Iterator:
        try:
            if any(c in GLOB_CHARS for c in pattern):
                found, explicit = self._match(pattern), False
            else:
                found = self._match(FileSystems.join(pattern, "**"))
                explicit = not found
                found = found or self._match(pattern)
        except Exception as exc:  # a filesystem that refuses the pattern: one error record for it
            why = f"cannot match: {type(exc).__name__}: {exc}"
            yield beam.pvalue.TaggedOutput(FAILED, _failed(_uri(pattern), why))
            return
        if explicit and not found:
            yield beam.pvalue.TaggedOutput(FAILED, _failed(_uri(pattern), "no such file"))
        for path in found:
            if explicit or input_kind(path) != "other":
                yield printable(_uri(path)), explicit  # a non-UTF-8 name as `\xNN` escapes

    @staticmethod
    def _match(pattern: str) -> list[str]:
        return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


class ReadInputs(beam.DoFn):
    """(uri, explicit) -> an ImageInput with bytes per image: the file (main output), each shard member and
    each table row (on `members`)."""

    def __init__(self, image_column: str | None = None):
        self.image_column = image_column

    def process(self, element: tuple[str, bool]) -> Iterator:
        uri, explicit = element
        kind = input_kind(uri)
        try:
            if kind == "tar":
                items = iter_tar_images(uri)
            elif kind == "parquet":
                items = iter_parquet_images(uri, image_column=self.image_column)
            else:
                items = self._read_file(uri, sniff=kind == "unknown" and not explicit)
            tag = MEMBERS if kind in ("tar", "parquet") else None
            for item in items:
                yield from _route(item, tag)
        except Exception as exc:  # e.g. no fsspec driver for the shard's scheme: the container's error
            yield from _route(ImageInput(uri=uri, error=f"{type(exc).__name__}: {exc}"))

    @staticmethod
    def _read_file(uri: str, sniff: bool) -> Iterator[ImageInput]:
        try:
            if is_url(uri):
                with FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED) as f:
                    data = f.read()
            else:
                with open_uri(uri) as f:  # regular files only
                    data = f.read()
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
