"""Score a FiftyOne sample collection with a vc-curate scorer and write the `<prefix>_*` fields in batches.

The one function behind the `score_samples` operator; usable from Python without the App:

    from vc_curate.fiftyone import score_collection
    score_collection(dataset)                      # classic scorer, fields vc_quality, vc_critique, ...
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fiftyone as fo

from vc_curate.fiftyone.fields import declare_fields, field_names, record_values
from vc_curate.inputs import ImageInput
from vc_curate.record import Record
from vc_curate.registry import load_scorer
from vc_curate.scorer import Scorer


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a run is: samples written so far (errors included), of `total`; `skipped` were scored before."""

    done: int
    total: int
    errors: int
    skipped: int = 0

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def label(self) -> str:
        return f"scored {self.done}/{self.total} samples ({self.errors} could not be scored)"


def iter_score_collection(samples: fo.core.collections.SampleCollection, scorer: str | Scorer = "classic", *,
                          prefix: str = "vc", batch_size: int | None = None, skip_scored: bool = False,
                          keep_other_versions: bool = False, write_every: int = 256, write_seconds: float = 10.0,
                          **scorer_options: Any,
                          ) -> Iterator[Progress]:
    """Score every image sample of `samples`, yielding a `Progress` after each write.

    Writes happen every `write_every` samples or `write_seconds`, whichever comes first, with `set_values`.
    Each sample gets every output field (None where a record has no value, which clears stale ones);
    unscorable samples get `<prefix>_error`. `skip_scored` leaves out samples that already have a
    `<prefix>_quality` from this version of the scorer (`<prefix>_scorer` equal to its `version`); with
    `keep_other_versions` also those scored by another version or scorer. `scorer` is a registry name
    (options go to `load_scorer`) or a loaded Scorer.
    """
    names = field_names(prefix)
    if samples.media_type != "image":
        raise ValueError(f"vc-curate scores image samples; this collection's media type is {samples.media_type!r}")
    if isinstance(scorer, str):
        scorer = load_scorer(scorer, **scorer_options)
    elif scorer_options:
        raise ValueError("scorer options go with a scorer name, not with an already loaded Scorer")
    dataset = samples._root_dataset
    declare_fields(dataset, prefix)

    ids, paths, qualities, scorers = samples.values(["id", "filepath", names["quality"], names["scorer"]])
    if skip_scored:
        todo = [i for i, (q, s) in enumerate(zip(qualities, scorers))
                if q is None or not (keep_other_versions or s == scorer.version)]
        ids, paths = [ids[i] for i in todo], [paths[i] for i in todo]
    skipped = len(qualities) - len(ids)
    total, errors = len(ids), 0
    yield Progress(0, total, 0, skipped)

    inputs = (ImageInput(uri=path) if path else ImageInput(uri=f"sample:{sid}", error="read failed: no filepath")
              for sid, path in zip(ids, paths))
    pending: list[Record] = []
    done, last_write = 0, time.monotonic()
    for record in scorer.score_iter(inputs, batch_size=batch_size):
        pending.append(record)
        if len(pending) >= write_every or time.monotonic() - last_write >= write_seconds:
            errors += write_records(dataset, ids[done:done + len(pending)], pending, prefix)
            done += len(pending)
            pending, last_write = [], time.monotonic()
            yield Progress(done, total, errors, skipped)
    if pending:
        errors += write_records(dataset, ids[done:done + len(pending)], pending, prefix)
        yield Progress(done + len(pending), total, errors, skipped)


def write_records(dataset: fo.Dataset, ids: list[str], records: list[Record], prefix: str = "vc") -> int:
    """Write records onto the samples with these ids (same order), one `set_values` per field; return errors.

    A scored sample without image metadata gets FiftyOne's own complete `ImageMetadata` (size, MIME type,
    width, height, channels); existing metadata is kept; where the file cannot be read again, it is left
    for `compute_metadata`.
    """
    if len(ids) != len(records):
        raise ValueError(f"{len(records)} records for {len(ids)} samples")
    names = field_names(prefix)
    by_field: dict[str, dict[str, Any]] = {path: {} for path in names.values()}
    for sid, record in zip(ids, records):
        for name, value in record_values(record).items():
            by_field[names[name]][sid] = value
    for path, values in by_field.items():
        dataset.set_values(path, values, key_field="id")
    scored = [sid for sid, r in zip(ids, records) if r.width is not None]
    if scored:
        metadata = {}
        for sid, meta, path in zip(*dataset.select(scored).values(["id", "metadata", "filepath"])):
            if meta is None:
                with contextlib.suppress(Exception):
                    metadata[sid] = fo.ImageMetadata.build_for(path)
        if metadata:
            dataset.set_values("metadata", metadata, key_field="id")
    return sum(r.error is not None for r in records)


def score_collection(samples: fo.core.collections.SampleCollection, scorer: str | Scorer = "classic",
                     **options: Any) -> Progress:
    """Score `samples` (see `iter_score_collection` for the options); return the final `Progress`."""
    last = None
    for last in iter_score_collection(samples, scorer, **options):
        pass
    return last
