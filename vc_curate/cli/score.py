"""`vc-curate score INPUT... --out OUT`: score images into a resumable Parquet dataset."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from vc_curate.cli.main import UsageError
from vc_curate.cli.scorer_flags import add_scorer_flags, scorer_options
from vc_curate.inputs import count_inputs, expand_inputs
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
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("--out", required=True, help="Parquet file (name.parquet) or folder of parts")
    p.add_argument("--resume", action="store_true", help="keep OUT's records and score only what is missing")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.add_argument("--max-error-rate", type=_fraction, metavar="RATE",
                   help="exit with status 1 when more than this share of inputs fail (e.g. 0.05)")
    p.add_argument("--image-column", help="bytes column of Parquet inputs (default: jpg, image, image.bytes, ...)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_scorer_flags(p)
    return p


def run(args: argparse.Namespace) -> int:
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other: choose one")
    try:
        scorer = load_scorer(args.scorer, **scorer_options(args))
    except (ValueError, OSError) as exc:
        raise UsageError(str(exc).splitlines()[0]) from None
    try:
        writer = RecordWriter(args.out, resume=args.resume, overwrite=args.overwrite)
    except OutputExistsError as exc:
        raise UsageError(str(exc)) from None
    total = count_inputs(args.inputs, image_column=args.image_column)
    if total == 0:
        raise UsageError(f"no images found in {' '.join(args.inputs)}")
    started = time.monotonic()
    errors: Counter[str] = Counter()
    scored = 0
    records = scorer.score_iter(expand_inputs(args.inputs, image_column=args.image_column),
                                progress=not args.quiet, total=total, skip=writer.already_done)
    try:
        for rec in records:
            writer.write(rec)
            scored += 1
            if rec.error:
                errors[rec.error.split(":", 1)[0]] += 1
    finally:
        writer.close()
    elapsed = time.monotonic() - started
    n_errors = sum(errors.values())
    kinds = f" ({', '.join(f'{k}: {v}' for k, v in errors.most_common())})" if errors else ""
    skipped = total - scored
    print(f"scored {scored} images in {elapsed:.1f} s ({scored / max(elapsed, 1e-9):.1f} img/s): "
          f"{scored - n_errors} ok, {n_errors} errors{kinds}"
          f"{f', {skipped} skipped as already scored' if skipped else ''}; wrote {args.out}", file=sys.stderr)
    if args.max_error_rate is not None and scored and n_errors / scored > args.max_error_rate:
        print(f"vc-curate score: error rate {n_errors / scored:.1%} is above --max-error-rate "
              f"{args.max_error_rate:.1%}", file=sys.stderr)
        return 1
    return 0
