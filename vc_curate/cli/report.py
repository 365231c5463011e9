"""`vc-curate report`: a self-contained HTML page summarising a scores table."""

from __future__ import annotations

import argparse

from vc_curate.cli.main import UsageError
from vc_curate.cli.writing import check_outputs
from vc_curate.errors import first_line


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="write an HTML report of a scores table",
        description="Write one self-contained HTML page: a histogram per score, thumbnails of the highest "
                    "and lowest quality and the likely AI-generated images with their critiques, images by "
                    "defect, exact duplicates and the most common errors. "
                    "Thumbnails are re-read from each record's uri, so run it where the images are "
                    "reachable.")
    parser.add_argument("scores",
                        help="scores Parquet written by `vc-curate score` (a file or a folder of parts)")
    parser.add_argument("--out", required=True, help="the HTML file to write")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    parser.add_argument("--top", type=int, default=8, metavar="N",
                        help="images shown in each gallery and defect grid (default 8)")
    return parser


def run(args: argparse.Namespace) -> int:
    from vc_curate.report import ReportError, write_report
    from vc_curate.wording import plural

    if args.top < 1:
        raise UsageError(f"--top {args.top}: show at least 1 image per section")
    check_outputs({"--out": args.out}, [args.scores], overwrite=args.overwrite)
    try:
        count = write_report(args.scores, args.out, top=args.top)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {first_line(exc)}") from None
    print(f"report of {plural(count, 'record')}: {args.out}")
    return 0
