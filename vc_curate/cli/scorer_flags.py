"""The scorer flags of `vc-curate score`, generated from every scorer's declared options."""

from __future__ import annotations

import argparse
from typing import Any

from vc_curate.cli.main import UsageError
from vc_curate.options import OptionSpec, cli_flag, make_options, merged_specs
from vc_curate.registry import list_scorers, options_classes, scorer_class


def add_scorer_flags(parser: argparse.ArgumentParser) -> None:
    """`--scorer`, the options every scorer takes, then one group per scorer for its own."""
    parser.add_argument("--scorer", default="classic", choices=list_scorers())
    scorers = options_classes()
    common = parser.add_argument_group("every scorer")
    groups = {name: parser.add_argument_group(f"{name} scorer") for name in scorers}
    for spec, takers in merged_specs(scorers).values():
        group = common if len(takers) == len(scorers) else groups[takers[0]]
        group.add_argument(spec.cli_flag, dest=spec.name, default=None, help=_help(spec, takers, scorers),
                           **_parsing(spec))


def scorer_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options given for `args.scorer`; another scorer's flag or a missing required one is a UsageError."""
    merged = merged_specs(options_classes())
    given = {name: getattr(args, name) for name in merged if getattr(args, name, None) is not None}
    wrong = [name for name in given if args.scorer not in merged[name][1]]
    if wrong:
        takers = sorted({t for name in wrong for t in merged[name][1]})
        raise UsageError(f"{', '.join(map(cli_flag, wrong))} only apply to --scorer {' or '.join(takers)}")
    try:
        make_options(scorer_class(args.scorer).Options, args.scorer, given, flag=cli_flag)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return given


def _help(spec: OptionSpec, takers: list[str], scorers: dict) -> str:
    text = spec.describe()
    if len(takers) < len(scorers) and len(takers) > 1:
        text += f"; scorers {', '.join(takers)}"
    return text


def _parsing(spec: OptionSpec) -> dict[str, Any]:
    if spec.type is bool:
        return {"action": "store_true" if not spec.default else argparse.BooleanOptionalAction}
    kwargs: dict[str, Any] = {"type": _converter(spec), "metavar": spec.metavar}
    if spec.choices:
        kwargs["choices"] = spec.choices
    return kwargs


def _converter(spec: OptionSpec):
    """Text to the option's type; its bounds are checked once, by the options dataclass."""
    def convert(text: str):
        try:
            return spec.type(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {spec.type.__name__}, got {text!r}") from None

    convert.__name__ = spec.type.__name__
    return convert
