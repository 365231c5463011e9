"""`CurateOptions`: the job's own flags, alongside Beam's (`--runner`, `--direct_num_workers`, ...).

The scorer flags (`--model`, `--adapter`, `--batch_size`, ...) are generated from the scorers' declared
options (`vc_curate.options`), so every option of every scorer can be set from a Beam job too.
"""

from __future__ import annotations

import argparse
import difflib
import os

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions, _BeamArgumentParser

from vc_curate.options import beam_flag, make_options, merged_specs
from vc_curate.registry import list_scorers, options_classes, scorer_class


class UsageError(ValueError):
    """A bad combination of flags found after parsing; printed as one line, exit status 2."""


class CurateOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument("--input", action="append", default=None,
                            help="file pattern, folder, .tar shard or .parquet table; repeat for more")
        parser.add_argument("--output_dir", default=None, help="folder for kept-/rejected-/errors-*.parquet")
        parser.add_argument("--keep_if", default=None,
                            help='rule, e.g. "quality >= 50" (as vc-curate filter --keep-if)')
        parser.add_argument("--scorer", default="classic", help=f"one of {', '.join(list_scorers())}")
        parser.add_argument("--image_column", default=None, help="image-bytes column of Parquet inputs")
        parser.add_argument("--previous_output", default=None,
                            help="an earlier run's output_dir: skip inputs already kept or rejected there")
        parser.add_argument("--keep_old_versions", action="store_true",
                            help="with --previous_output: records from another version of the scorer count as "
                                 "done (default: scored again)")
        parser.add_argument("--overwrite", action="store_true",
                            help="replace the outputs already in output_dir")
        parser.add_argument("--num_shards", type=int, default=0,
                            help="files per kind of output (0: one per 50,000 records)")
        parser.add_argument("--large_model", action="store_true",
                            help="load one scorer per machine, shared by its worker processes (GPU workers)")
        parser.add_argument("--model_copies", type=int, default=None,
                            help="how many shared scorer copies per machine (implies sharing)")
        parser.add_argument("--torch_threads", type=int, default=0,
                            help="torch CPU threads per worker process (0: cores / local worker processes on "
                                 "the DirectRunner, 1 on distributed runners, which run a process per core)")
        for spec, takers in scorer_flags().values():
            kwargs = {"action": "store_true"} if spec.type is bool else {"type": spec.type, "choices": spec.choices}
            parser.add_argument(spec.beam_flag, dest=spec.name, default=None, **kwargs,
                                help=f"{spec.describe()}; scorers: {', '.join(takers)}")


def scorer_flags() -> dict:
    """Every scorer option, once: name -> (spec, scorers that take it)."""
    return merged_specs(options_classes())


def validate(opts: CurateOptions) -> None:
    missing = [flag for flag in ("input", "output_dir", "keep_if") if not getattr(opts, flag)]
    if missing:
        raise UsageError(f"missing --{', --'.join(missing)}; e.g. --input 'images/*.jpg' --output_dir out "
                         "--keep_if 'quality >= 50'")
    if opts.torch_threads < 0:
        raise UsageError(f"--torch_threads must be 0 (automatic) or more, not {opts.torch_threads}")
    if opts.num_shards < 0:
        raise UsageError(f"--num_shards must be 0 (automatic) or more, not {opts.num_shards}")
    if opts.previous_output and opts.previous_output.rstrip("/") == opts.output_dir.rstrip("/"):
        raise UsageError("--previous_output must differ from --output_dir: write each run to a new folder "
                         "and pass the last one as --previous_output")


def torch_threads(options: PipelineOptions) -> int | None:
    """`--torch_threads`, or what suits the runner; None keeps torch's default (all cores) where one process,
    or one shared scorer (`--large_model`), has the machine to itself."""
    opts = options.view_as(CurateOptions)
    if opts.torch_threads:
        return opts.torch_threads
    runner = str(options.view_as(StandardOptions).runner or "DirectRunner")
    if runner.endswith("DirectRunner") or runner.lower() == "direct":
        direct = options.view_as(DirectOptions)
        if direct.direct_running_mode == "multi_processing" and direct.direct_num_workers > 1:
            return max(1, (os.cpu_count() or 1) // direct.direct_num_workers)
        return None
    return None if opts.large_model or opts.model_copies else 1


def scorer_options(opts: CurateOptions) -> dict:
    """Keyword options for `vc_curate.load_scorer`: the scorer flags given, checked against the scorer's
    declared options (a flag of another scorer, a missing required one or a bad value is a UsageError)."""
    given = {name: getattr(opts, name) for name in scorer_flags() if getattr(opts, name, None) is not None}
    try:
        make_options(scorer_class(opts.scorer).Options, opts.scorer, given, flag=beam_flag)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return given


def beam_flags() -> list[str]:
    """Every flag that some PipelineOptions class (Beam's, Dataflow's, ours) declares."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    for cls in {str(c): c for c in PipelineOptions.__subclasses__()}.values():
        cls._add_argparse_args(parser)
    return [flag for action in parser._actions for flag in action.option_strings]


def reject_unknown_flags(argv: list[str]) -> None:
    """Beam's parser discards flags it does not know with a log line; here they are a one-line error."""
    known = beam_flags()
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if not flag.startswith("--") or flag in known:
            continue
        wanted = "--" + flag[2:].replace("-", "_")
        if wanted in known:
            raise UsageError(f"unknown flag {flag}: Beam flags use underscores, {wanted}")
        close = difflib.get_close_matches(flag, known, n=1)
        raise UsageError(f"unknown flag {flag}" + (f"; did you mean {close[0]}?" if close else ""))


def help_text() -> str:
    """`--help`: the job's own flags (Beam's parser answers it with an empty usage line), then where Beam's
    are."""
    parser = argparse.ArgumentParser(
        prog="python -m beam_jobs.curate",
        description="Score image corpora with a vc-curate scorer and split them by a rule into kept-, "
                    "rejected- and errors-*.parquet in --output_dir.",
        epilog="Beam's own flags are accepted too (--runner, --direct_num_workers, --direct_running_mode, "
               "--job_name, Dataflow's and Flink's ...): see docs/beam.md and Beam's pipeline options.")
    CurateOptions._add_argparse_args(parser)
    return parser.format_help()
