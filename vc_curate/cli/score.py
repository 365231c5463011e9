"""`vc-curate score INPUT... --out OUT`: score images into a resumable Parquet dataset."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pyarrow as pa

from vc_curate.cli.main import UsageError
from vc_curate.cli.scorer_flags import add_scorer_flags, scorer_options
from vc_curate.cli.writing import check_not_inputs
from vc_curate.errors import first_line
from vc_curate.wording import plural
from vc_curate.inputs import expand_inputs
from vc_curate.inputs.expand import NOTHING_MATCHES
from vc_curate.lock import OutputLockedError
from vc_curate.output import OutputExistsError, RecordWriter
from vc_curate.registry import load_scorer

def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("score", help="score images into a Parquet dataset",
                       description="Score images (files, folders, globs, URLs, .tar shards, Parquet tables).")
    p.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="files, folders, globs, URLs, .tar shards, Parquet tables (a path that exists wins)")
    p.add_argument("--files-from", metavar="LIST",
                   help="also score the inputs listed in LIST, one a line (- for stdin)")
    p.add_argument("--out", required=True, help="Parquet file (name.parquet) or folder of parts")
    p.add_argument("--resume", action="store_true", help="keep OUT's records and score only what is missing")
    p.add_argument("--keep-old-versions", action="store_true",
                   help="with --resume: records from another version of the scorer count as done (default: "
                        "scored again, and the old record replaced)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--max-error-rate", type=_fraction, metavar="RATE",
                   help="exit with status 1 when more than this share of inputs fail (e.g. 0.05)")
    p.add_argument("--image-column", help="bytes column of Parquet inputs (default: jpg, image, image.bytes, ...)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scorer_flags(p)
    return p


def _specs(args: argparse.Namespace) -> Iterator[str]:
    """The INPUTs, then the lines of --files-from (blank lines skipped), read as scoring goes."""
    yield from args.inputs
    if args.files_from:
        with (contextlib.nullcontext(sys.stdin) if args.files_from == "-"
              else open(args.files_from, encoding="utf-8", errors="surrogateescape")) as lines:
            for line in lines:
                if line.strip():
                    yield line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other: choose one")
    if not args.inputs and not args.files_from:
        raise UsageError("give at least one INPUT, or --files-from LIST")
    if args.files_from and args.files_from != "-" and not os.path.isfile(args.files_from):
        raise UsageError(f"--files-from {args.files_from}: no such file")
    try:
        scorer = load_scorer(args.scorer, **scorer_options(args))
    except (ValueError, OSError) as exc:
        raise UsageError(first_line(exc)) from None
    check_not_inputs({"--out": args.out}, args.inputs)
    try:
        writer = RecordWriter(args.out, resume=args.resume, overwrite=args.overwrite, scorer_version=scorer.version,
                              keep_old_versions=args.keep_old_versions)
    except (OutputExistsError, OutputLockedError) as exc:
        raise UsageError(str(exc)) from None
    except (OSError, pa.ArrowException) as exc:  # not a Parquet dataset, not writable, ...
        raise UsageError(f"--out {args.out}: {first_line(exc)}") from None
    started = time.monotonic()
    errors: Counter[str] = Counter()
    unmatched: list[str] = []
    scored = skipped = 0

    def skip(uri: str, sha256: str | None) -> bool:
        nonlocal skipped
        done = writer.already_done(uri, sha256)
        skipped += done
        return done

    inputs = expand_inputs(_specs(args), image_column=args.image_column, max_bytes=scorer.options.max_bytes)
    records = scorer.score_iter(inputs, progress=not args.quiet, skip=skip)
    try:
        try:
            for rec in records:
                writer.write(rec)
                scored += 1
                if rec.error:
                    errors[rec.error.split(":", 1)[0]] += 1
                    if rec.error.startswith(NOTHING_MATCHES):
                        unmatched.append(rec.uri)
        finally:
            writer.close()
    except OSError as exc:  # a full disk: the parts committed so far stay, and --resume goes on from them
        raise UsageError(f"cannot write {args.out}: {first_line(exc)}; what was committed stays, --resume "
                         "continues from it") from None
    elapsed = time.monotonic() - started
    n_errors = sum(errors.values())
    kinds = f" ({', '.join(f'{k}: {v}' for k, v in errors.most_common())})" if errors else ""
    rate = f" ({scored / max(elapsed, 1e-9):.1f} img/s)" if scored else ""
    print(f"scored {plural(scored, 'image')} in {elapsed:.1f} s{rate}: "
          f"{scored - n_errors:,} ok, {plural(n_errors, 'error')}{kinds}"
          f"{f', {skipped:,} skipped as already scored' if skipped else ''}; wrote {args.out}", file=sys.stderr)
    status = 0
    if unmatched:
        print(f"vc-curate score: nothing to score in {', '.join(unmatched)} (each has an error record)",
              file=sys.stderr)
        status = 1
    if args.max_error_rate is not None and scored and n_errors / scored > args.max_error_rate:
        print(f"vc-curate score: error rate {n_errors / scored:.1%} is above --max-error-rate "
              f"{args.max_error_rate:.1%}", file=sys.stderr)
        status = 1
    return status
