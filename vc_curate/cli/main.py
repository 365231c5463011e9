"""Entry point of `vc-curate`: bad arguments are a one-line error and exit status 2."""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = ("score", "filter", "report", "evaluate", "train")


class UsageError(Exception):
    """A bad argument found after parsing (unknown field in a rule, unreadable labels table, ...): exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vc-curate", description="VisualCritic-style image critique for data curation.")
    from vc_curate import __version__

    parser.add_argument("--version", action="version", version=f"vc-curate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"vc_curate.cli.{name}")
        module.add_parser(sub).set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UsageError as exc:
        sys.stderr.write(f"vc-curate {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":  # `python -m vc_curate.cli.main`: run the imported module, whose UsageError
    from vc_curate.cli.main import main as imported_main  # the subcommands raise

    sys.exit(imported_main())
