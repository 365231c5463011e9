"""The scorer API every front end uses: `score` (a list, same order) and `score_iter` (streaming).

The base class does reading, hashing, provenance and decoding in a worker pool that overlaps scoring,
batching, and turning every failure into an error record; a concrete scorer declares its fields and
implements `score_batch` over decoded images.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, make_dataclass
from typing import Any, ClassVar

import torch
from tqdm import tqdm

from vc_curate.decode import DecodedImage, DecodeError, DecodeOptions, decode_opened, open_image
from vc_curate.fields import FIELDS, SCORED, FieldSpec
from vc_curate.inputs import ImageInput, as_image_input, read_uri_bytes
from vc_curate.inputs.paths import MAX_BYTES_IN_FLIGHT, too_large
from vc_curate.provenance import Evidence, ProvenanceOptions, read_evidence
from vc_curate.provenance.c2pa import check_trust_anchors
from vc_curate.options import ScorerOptions, make_options
from vc_curate.record import Record, authenticity_of


Scores = make_dataclass(
    "Scores",
    [(name, spec.python_type() | None, None) for name, spec in FIELDS.items() if spec.scored]
    + [("evidence", str | None, None), ("notes", list[str], field(default_factory=list))],
    slots=True, namespace={"__module__": __name__},
)
Scores.__doc__ = """What a scorer computes for one decoded image; the base class turns it into a Record.

Every scored field of `vc_curate.fields.FIELDS` (None: not filled for this image; say why in `notes`);
`ai_generated` is the scorer's own estimate, used only where no explicit evidence exists; `evidence` is the
scorer's own provenance item (e.g. "lmm:0.83")."""


@dataclass(slots=True)
class _Prepared:
    item: ImageInput
    sha256: str | None = None
    evidence: Evidence = field(default_factory=Evidence)
    image: DecodedImage | None = None
    payload: Any = None
    error: str | None = None
    skipped: bool = False

    @property
    def notes(self) -> tuple[str, ...]:
        """What reading the evidence and decoding left out."""
        return self.evidence.notes + (self.image.notes if self.image is not None else ())


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"--device {device}: no CUDA device is available to torch here; use --device cpu or auto")
    return torch.device(device)


class Scorer(ABC):
    """A scorer declares its `name`, its `Options` dataclass and the record fields it `fills`."""

    name: ClassVar[str]
    Options: ClassVar[type[ScorerOptions]] = ScorerOptions
    fills: ClassVar[tuple[str, ...]] = SCORED
    default_batch_size: ClassVar[int] = 32

    def __init__(self, **options: Any):
        self.options = make_options(self.Options, self.name, options)
        opts = self.options
        self.device = resolve_device(opts.device)
        self.batch_size = opts.batch_size or self.default_batch_size
        self.workers = opts.workers or min(8, os.cpu_count() or 2)
        self._pool: ThreadPoolExecutor | None = None  # created on first use, reused by every call
        self.max_pixels = opts.max_pixels
        if opts.c2pa_trust_anchors:
            check_trust_anchors(opts.c2pa_trust_anchors)  # a bad path is one error now, not one per image
        self.provenance_options = ProvenanceOptions(watermarks=opts.watermarks,
                                                    c2pa_trust_anchors=opts.c2pa_trust_anchors)

    @property
    def fields(self) -> dict[str, FieldSpec]:
        """The declarations of the fields this scorer fills."""
        return {name: FIELDS[name] for name in self.fills}

    # -- what a concrete scorer provides ------------------------------------------------------------
    @property
    @abstractmethod
    def version(self) -> str:
        """The record's `scorer` value: name and version or model revision."""

    def decode_options(self) -> DecodeOptions:
        return DecodeOptions(max_pixels=self.max_pixels)

    def prepare(self, image: DecodedImage) -> Any:
        """Per-image work done in the worker pool (e.g. to tensors); default: the decoded image itself."""
        return image

    @abstractmethod
    def score_batch(self, batch: list[Any]) -> list[Scores]:
        """Scores for a batch of `prepare` results, same order. May raise: the base class isolates failures."""

    # -- the API ----------------------------------------------------------------------------------------
    def score(self, inputs: Iterable[Any], batch_size: int | None = None) -> list[Record]:
        """One record per input, same order."""
        return list(self.score_iter(inputs, batch_size=batch_size))

    def score_iter(self, inputs: Iterable[Any], batch_size: int | None = None, *, progress: bool = False,
                   total: int | None = None, skip: Callable[[str, str | None], bool] | None = None,
                   ) -> Iterator[Record]:
        """Stream records in input order, holding at most a few batches in memory.

        `skip(uri, sha256)`, called once the bytes are read, drops inputs already scored (for resuming).
        """
        batch_size = batch_size or self.batch_size
        ahead = max(2 * batch_size, 2 * self.workers)
        source = iter(inputs)
        window: deque[Future[_Prepared]] = deque()
        bar = tqdm(total=total, unit="img", file=sys.stderr, disable=not progress, dynamic_ncols=True,
                   mininterval=0.5, smoothing=0.1)
        errors = 0
        pool = self._decode_pool()

        in_flight: deque[int] = deque()  # encoded bytes each queued input carries (0: read in the pool)
        held = 0  # their sum

        def fill() -> None:  # bounded by count and by bytes held (at least one input, however large)
            nonlocal held
            while len(window) < ahead and (not window or held < MAX_BYTES_IN_FLIGHT):
                try:
                    raw = next(source)
                except StopIteration:
                    return
                window.append(pool.submit(self._prepare_one, raw, skip))
                in_flight.append(len(raw.data) if isinstance(raw, ImageInput) and raw.data is not None else 0)
                held += in_flight[-1]

        try:
            fill()
            while window:
                chunk = []
                for _ in range(min(batch_size, len(window))):
                    chunk.append(window.popleft().result())
                    held -= in_flight.popleft()
                fill()  # keep the pool decoding while this batch scores
                for rec in self._finish(chunk):
                    errors += rec.error is not None
                    bar.update(1)
                    yield rec
                skipped = sum(p.skipped for p in chunk)
                if skipped:
                    bar.update(skipped)
                if progress:
                    bar.set_postfix(errors=errors, refresh=False)
        finally:
            for fut in window:
                fut.cancel()
            bar.close()

    # -- internals ------------------------------------------------------------------------------------
    _pool_lock = threading.Lock()

    def _decode_pool(self) -> ThreadPoolExecutor:
        """One pool per scorer, shared by every call: per-batch callers (Beam, FiftyOne) churn no threads."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="vc-decode")
            return self._pool

    def _prepare_one(self, raw: Any, skip: Callable[[str, str | None], bool] | None) -> _Prepared:
        try:
            item = as_image_input(raw)
        except TypeError as exc:
            return _Prepared(ImageInput(uri=repr(raw)[:200]), error=f"bad input: {exc}")
        prep = _Prepared(item)
        if item.error:
            prep.error = item.error
            return prep
        try:
            data = item.data if item.data is not None else read_uri_bytes(item.uri, max_bytes=self.options.max_bytes)
            if len(data) > self.options.max_bytes:
                raise too_large(len(data), self.options.max_bytes)
        except Exception as exc:  # any filesystem failure is this input's error, not the batch's
            prep.error = f"read failed: {type(exc).__name__}: {exc}"
            return prep
        prep.sha256 = hashlib.sha256(data).hexdigest()
        if skip is not None and skip(item.uri, prep.sha256):
            prep.skipped = True
            return prep
        try:
            opened = open_image(data, self.max_pixels)
            prep.evidence = read_evidence(data, opened, self.provenance_options)
            prep.image = decode_opened(opened, self.decode_options())
            prep.payload = self.prepare(prep.image)
        except DecodeError as exc:
            prep.error = f"decode failed: {exc}"
        except Exception as exc:
            prep.error = f"decode failed: {type(exc).__name__}: {exc}"
        return prep

    def _score_isolated(self, payloads: list[Any]) -> list[Scores | str]:
        """Score a batch; if it fails, score its items one by one so only the culprit gets an error."""
        try:
            scores = self.score_batch(payloads)
            if len(scores) != len(payloads):
                raise RuntimeError(f"{self.name} returned {len(scores)} scores for {len(payloads)} images")
            return list(scores)
        except Exception as exc:
            if len(payloads) == 1:
                return [f"score failed: {type(exc).__name__}: {exc}"]
            return [s for p in payloads for s in self._score_isolated([p])]

    def _finish(self, chunk: list[_Prepared]) -> Iterator[Record]:
        ready = [p for p in chunk if p.error is None and not p.skipped]
        results = dict(zip(map(id, ready), self._score_isolated([p.payload for p in ready]) if ready else []))
        for prep in chunk:
            if prep.skipped:
                continue
            outcome = results.get(id(prep), prep.error)
            if isinstance(outcome, str):
                yield Record.failed(prep.item.uri, outcome, sha256=prep.sha256, scorer=self.version,
                                    extra=prep.item.extra)
            else:
                yield self._record(prep, outcome)

    def _record(self, prep: _Prepared, scores: Scores) -> Record:
        values = {name: getattr(scores, name) for name in SCORED}
        unmeasurable = [name for name in SCORED if FIELDS[name].numeric and _is_nan(values[name])]
        values.update({name: FIELDS[name].clip(values[name]) for name in SCORED if FIELDS[name].numeric})
        if prep.evidence.ai_generated is not None:  # explicit evidence beats the scorer's own estimate
            values["ai_generated"] = prep.evidence.ai_generated
        items = prep.evidence.items + ((scores.evidence,) if scores.evidence else ())
        notes = prep.notes + tuple(f"{name}: not measurable" for name in unmeasurable) + tuple(scores.notes)
        return Record(
            uri=prep.item.uri, sha256=prep.sha256, width=prep.image.width, height=prep.image.height, **values,
            authenticity=authenticity_of(values["ai_generated"]), provenance=";".join(items) or None,
            scorer=self.version, notes=";".join(notes) or None, extra=prep.item.extra,
        )


def _is_nan(value: float | None) -> bool:
    return value is not None and math.isnan(value)
