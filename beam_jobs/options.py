"""`CurateOptions`: the job's own flags, alongside Beam's (`--runner`, `--direct_num_workers`, Dataflow's ...)."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions


class UsageError(ValueError):
    """A bad combination of flags found after parsing; printed as one line, exit status 2."""


class CurateOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument("--input", action="append", default=None,
                            help="file pattern, folder, .tar shard or .parquet table; repeat for more")
        parser.add_argument("--output_dir", default=None, help="folder for kept-/rejected-/errors-*.parquet")
        parser.add_argument("--keep_if", default=None, help='rule, e.g. "quality >= 50" (see vc-curate filter)')
        parser.add_argument("--scorer", default="classic", help="classic or lmm")
        parser.add_argument("--model", default=None, help="the lmm scorer's model: a folder or a model id")
        parser.add_argument("--batch_size", type=int, default=None, help="images per batch (scorer's default)")
        parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
        parser.add_argument("--image_column", default=None, help="image-bytes column of Parquet inputs")
        parser.add_argument("--previous_output", default=None,
                            help="an earlier run's output_dir: skip inputs already kept or rejected there")
        parser.add_argument("--overwrite", action="store_true", help="replace the outputs already in output_dir")
        parser.add_argument("--num_shards", type=int, default=0,
                            help="files per kind of output (0: one per 50,000 records)")
        parser.add_argument("--large_model", action="store_true",
                            help="load one scorer per machine, shared by its worker processes (GPU workers)")
        parser.add_argument("--model_copies", type=int, default=None,
                            help="how many shared scorer copies per machine (implies sharing)")


def validate(opts: CurateOptions) -> None:
    missing = [flag for flag in ("input", "output_dir", "keep_if") if not getattr(opts, flag)]
    if missing:
        raise UsageError(f"missing --{', --'.join(missing)}; e.g. --input 'images/*.jpg' --output_dir out "
                         "--keep_if 'quality >= 50'")
    if opts.batch_size is not None and opts.batch_size < 1:
        raise UsageError(f"--batch_size must be at least 1, not {opts.batch_size}")
    if opts.num_shards < 0:
        raise UsageError(f"--num_shards must be 0 (automatic) or more, not {opts.num_shards}")
    if opts.previous_output and opts.previous_output.rstrip("/") == opts.output_dir.rstrip("/"):
        raise UsageError("--previous_output must differ from --output_dir: write each run to a new folder "
                         "and pass the last one as --previous_output")


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
