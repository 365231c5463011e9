"""`CurateOptions`: the job's own flags, alongside Beam's (`--runner`, `--direct_num_workers`, ...)."""

from __future__ import annotations

import os

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions


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
        parser.add_argument("--scorer", default="classic", help="classic or lmm")
        parser.add_argument("--model", default=None, help="the lmm scorer's model: a folder or a model id")
        parser.add_argument("--batch_size", type=int, default=None,
                            help="images per batch (default: the scorer's)")
        parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
        parser.add_argument("--image_column", default=None, help="image-bytes column of Parquet inputs")
        parser.add_argument("--previous_output", default=None,
                            help="an earlier run's output_dir: skip inputs already kept or rejected there")
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


def validate(opts: CurateOptions) -> None:
    missing = [flag for flag in ("input", "output_dir", "keep_if") if not getattr(opts, flag)]
    if missing:
        raise UsageError(f"missing --{', --'.join(missing)}; e.g. --input 'images/*.jpg' --output_dir out "
                         "--keep_if 'quality >= 50'")
    if opts.batch_size is not None and opts.batch_size < 1:
        raise UsageError(f"--batch_size must be at least 1, not {opts.batch_size}")
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
    """Keyword options for `vc_curate.load_scorer` beyond the scorer's name and batch size."""
    options = {"device": opts.device}
    if opts.model:
        options["model"] = opts.model
    return options


class _FlagNames:
    """Stands in for a parser to list the flags CurateOptions declares."""

    def __init__(self):
        self.names: set[str] = set()

    def add_argument(self, name: str, **_) -> None:
        self.names.add(name)


def reject_dashed_flags(argv: list[str]) -> None:
    """`--keep-if` would be silently discarded by Beam's parser; say which spelling it wants instead."""
    names = _FlagNames()
    CurateOptions._add_argparse_args(names)
    for arg in argv:
        flag = arg.split("=", 1)[0]
        wanted = "--" + flag[2:].replace("-", "_")
        if flag.startswith("--") and flag != wanted and wanted in names.names:
            raise UsageError(f"unknown flag {flag}: Beam flags use underscores, {wanted}")
