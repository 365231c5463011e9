"""`vc-curate filter SCORES --keep-if RULE --out KEPT [--rejected REJECTED]`."""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.cli.main import UsageError
from vc_curate.cli.writing import check_outputs, replacing
from vc_curate.errors import first_line
from vc_curate.inputs.paths import is_url
from vc_curate.rules import RuleError, compile_rule


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("filter", help="split scores into kept and rejected by a rule",
                       description='Keep the records that match a rule, e.g. \'quality >= 50 and '
                                   'authenticity != "ai-generated"\'.')
    p.add_argument("scores", metavar="SCORES", help="Parquet file or folder from `vc-curate score`")
    p.add_argument("--keep-if", required=True, metavar="RULE")
    p.add_argument("--out", required=True, help="Parquet file for the kept records")
    p.add_argument("--rejected", help="Parquet file for the other records")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def read_scores(path: str) -> pa.Table:
    if not is_url(path) and not os.path.exists(path):  # Arrow's own message is the bare path
        raise UsageError(f"cannot read scores {path}: it does not exist")
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise UsageError(f"cannot read scores {path}: {str(exc).splitlines()[0]}") from None


def run(args: argparse.Namespace) -> int:
    check_outputs({"--out": args.out, "--rejected": args.rejected}, [args.scores], overwrite=args.overwrite)
    table = read_scores(args.scores)
    try:
        keep = compile_rule(args.keep_if, table.column_names).mask(table)
    except RuleError as exc:
        raise UsageError(str(exc)) from None
    try:
        _write(table.filter(pa.array(keep)), args.out)
        if args.rejected:
            _write(table.filter(pa.array(np.logical_not(keep))), args.rejected)
    except OSError as exc:  # a full disk, a folder that went away: no torn file is left
        raise UsageError(f"cannot write: {first_line(exc)}") from None
    print(f"kept {int(keep.sum())} of {table.num_rows} records ({table.num_rows - int(keep.sum())} rejected); "
          f"wrote {args.out}{f' and {args.rejected}' if args.rejected else ''}", file=sys.stderr)
    return 0


def _write(table: pa.Table, path: str) -> None:
    with replacing(path) as tmp:
        pq.write_table(table, tmp)
