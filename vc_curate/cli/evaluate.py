"""`vc-curate evaluate`: agreement of a scores table with human labels (Spearman, Pearson, bootstrap CIs)."""

from __future__ import annotations

import argparse
import json
import math

from vc_curate.cli.main import UsageError
from vc_curate.cli.writing import check_outputs


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "evaluate", help="measure agreement of scores with human opinion scores",
        description="Join a labels table (CSV or Parquet: `uri` or `filename`, `mos`, optional `dataset`, "
                    "attributes, `ai_generated`) with a scores table and print Spearman and Pearson "
                    "correlations per field, overall and per group, with bootstrap confidence intervals.")
    parser.add_argument("scores", nargs="?",
                        help="scores Parquet written by `vc-curate score` (a file or a folder of parts); "
                             "omit it with --adapter")
    parser.add_argument("--labels", required=True, help="labels table, .csv or .parquet")
    parser.add_argument("--group-by", help="labels column to group by (default: `dataset` where present)")
    parser.add_argument("--plot", metavar="PNG", help="write a scatter plot of quality against MOS here")
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON here")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --plot or --json file")
    parser.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                        help="bootstrap resamples for the 95%% intervals (default 1000; 0: no intervals)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    tuned = parser.add_argument_group("base against fine-tuned (scores the labelled images here)")
    tuned.add_argument("--adapter", metavar="DIR", help="LoRA adapter from `vc-curate train`: score the labelled "
                                                        "images with --model and with --model + DIR, and compare")
    tuned.add_argument("--model", metavar="BASE", help="the adapter's base model (Hugging Face id or folder)")
    tuned.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    tuned.add_argument("--dtype", default="auto", help="auto, bfloat16, float16 or float32")
    return parser


def _finite_or_none(value):
    return value if not (isinstance(value, float) and math.isnan(value)) else None


def run(args: argparse.Namespace) -> int:
    from vc_curate.evaluate import (LabelsError, agreement_plot, evaluate, format_evaluation, read_labels,
                                    read_table)

    if args.bootstrap < 0:
        raise UsageError(f"--bootstrap {args.bootstrap}: give 0 or more resamples")
    if args.adapter:
        return _compare(args)
    if not args.scores:
        raise UsageError("give a scores table, or --model BASE --adapter DIR to score the labelled images and "
                         "compare base with fine-tuned")
    check_outputs({"--plot": args.plot, "--json": args.json}, [args.scores, args.labels], overwrite=args.overwrite)
    try:
        scores = read_table(args.scores)
        labels = read_labels(args.labels)
        result, joined = evaluate(scores, labels, group_by=args.group_by, resamples=args.bootstrap,
                                  seed=args.seed)
    except LabelsError as exc:
        raise UsageError(str(exc)) from None
    print(format_evaluation(result, args.scores, args.labels))
    if args.plot:
        agreement_plot(args.plot, result, joined)
        print(f"\nscatter plot: {args.plot}")
    if args.json:
        data = result.to_dict()
        for row in data["metrics"]:
            row.update({k: _finite_or_none(v) for k, v in row.items()})
        data.update(scores=args.scores, labels=args.labels)
        with open(args.json, "w") as f:
            json.dump(data, f, indent=2)
        print(f"figures as JSON: {args.json}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from vc_curate.evaluate import LabelsError
    from vc_curate.training.compare import compare_adapter, format_comparison

    if args.scores or not args.model:
        raise UsageError("--adapter scores the labelled images itself: give --model BASE and no scores table")
    try:
        comparison = compare_adapter(args.labels, args.model, args.adapter, group_by=args.group_by,
                                     resamples=args.bootstrap, seed=args.seed, device=args.device, dtype=args.dtype)
    except (LabelsError, ValueError, OSError) as exc:
        raise UsageError(str(exc).strip().splitlines()[0]) from None
    print(f"Base {args.model} against {args.model} + {args.adapter} on {args.labels}")
    print(format_comparison(comparison))
    return 0
