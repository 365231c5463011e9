"""Scorer options, declared once per scorer as a dataclass; every front end is generated from them.

Naming rule: one name per meaning across scorers (`device`, `batch_size`, `model`, ...), written with dashes
on the command line (`--batch-size`), with underscores in Beam (`--batch_size`) and as is in Python, the
FiftyOne operator's form and `VisualCriticModel(...)`. Two scorers that declare the same name must give it
the same type.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from typing import Any

from vc_curate.decode import DEFAULT_MAX_PIXELS
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES

REQUIRED: Any = MISSING  # `option(REQUIRED, ...)`: the user must give it


def option(default: Any, help: str, *, choices: tuple[str, ...] | None = None, minimum: float | None = None,
           metavar: str | None = None) -> Any:
    """A dataclass field that carries what a front end needs to offer it: help, choices, lower bound."""
    return field(default=default, metadata={"help": help, "choices": choices, "minimum": minimum,
                                            "metavar": metavar})


def cli_flag(name: str) -> str:
    """How the command line spells an option: `--batch-size`."""
    return "--" + name.replace("_", "-")


def beam_flag(name: str) -> str:
    """How Beam spells an option: `--batch_size`."""
    return "--" + name


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option as the front ends see it: `type` is int, float, str or bool; `default` None when unset."""

    name: str
    type: type
    default: Any
    required: bool
    help: str
    choices: tuple[str, ...] | None
    minimum: float | None
    metavar: str | None

    @property
    def cli_flag(self) -> str:
        return cli_flag(self.name)

    @property
    def beam_flag(self) -> str:
        return beam_flag(self.name)

    def describe(self) -> str:
        """The help text with the default, for forms and --help."""
        if self.required:
            return f"{self.help} (required)"
        if self.default in (None, False):
            return self.help
        return f"{self.help} (default: {self.default})"


class OptionValueError(ValueError):
    """An option's value is of the wrong type or out of its declared bounds."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"option {name} {problem}")
        self.name, self.problem = name, problem


@dataclass(frozen=True, kw_only=True)
class ScorerOptions:
    """Options every scorer takes: where it runs, how it batches, how inputs are read."""

    device: str = option("auto", "auto, cpu or cuda[:N]")
    batch_size: int | None = option(None, "images per batch (default: the scorer's)", minimum=1)
    workers: int | None = option(None, "decode threads (default: the CPU count, at most 8)", minimum=1)
    max_pixels: int = option(DEFAULT_MAX_PIXELS, "larger images are refused as decompression bombs", minimum=1)
    max_bytes: int = option(DEFAULT_MAX_BYTES, "larger inputs get an error record and are never read whole",
                            minimum=1)
    watermarks: bool = option(False, "look for invisible generator watermarks (slower)")
    c2pa_trust_anchors: str | None = option(None, "PEM file of C2PA signers you trust (none ship)",
                                            metavar="PEM")

    def __post_init__(self) -> None:
        for spec in option_specs(type(self)):
            value = getattr(self, spec.name)
            if value is None:
                continue
            if not _is_instance(value, spec.type):
                raise OptionValueError(spec.name, f"must be {spec.type.__name__}, not {value!r}")
            if spec.minimum is not None and value < spec.minimum:
                raise OptionValueError(spec.name, f"must be at least {spec.minimum:g}, not {value}")
            if spec.choices is not None and value not in spec.choices:
                raise OptionValueError(spec.name, f"must be one of {', '.join(spec.choices)}, not {value!r}")


def option_specs(options_cls: type[ScorerOptions]) -> list[OptionSpec]:
    """The options of one scorer's dataclass, in declaration order."""
    return list(_specs(options_cls))


def make_options(options_cls: type[ScorerOptions], scorer: str, values: dict[str, Any],
                 flag: Callable[[str], str] = str) -> ScorerOptions:
    """`options_cls(**values)` with errors that name the scorer and what it takes, each option written as the
    front end spells it (`flag`: e.g. `--batch-size` on the command line)."""
    specs = option_specs(options_cls)
    unknown = sorted(set(values) - {spec.name for spec in specs})
    if unknown:
        raise ValueError(f"scorer {scorer!r} does not take {', '.join(map(flag, unknown))}; "
                         f"it takes: {', '.join(flag(spec.name) for spec in specs)}")
    missing = [spec.name for spec in specs if spec.required and values.get(spec.name) is None]
    if missing:
        raise ValueError(f"scorer {scorer!r} needs {', '.join(map(flag, missing))} ("
                         + "; ".join(spec.help for spec in specs if spec.name in missing) + ")")
    try:
        return options_cls(**values)
    except OptionValueError as exc:
        raise ValueError(f"{flag(exc.name)} {exc.problem}") from None


def merged_specs(options_classes: dict[str, type[ScorerOptions]]) -> dict[str, tuple[OptionSpec, list[str]]]:
    """Every option of every scorer, once: name -> (spec, the scorers that take it), common ones first."""
    merged: dict[str, tuple[OptionSpec, list[str]]] = {}
    for scorer, cls in options_classes.items():
        for spec in option_specs(cls):
            if spec.name in merged:
                known, takers = merged[spec.name]
                if known.type is not spec.type:
                    raise TypeError(f"option {spec.name} is {known.type.__name__} for {', '.join(takers)} but "
                                    f"{spec.type.__name__} for {scorer}: one name, one meaning")
                takers.append(scorer)
            else:
                merged[spec.name] = (spec, [scorer])
    return merged


def _specs(options_cls: type) -> typing.Iterator[OptionSpec]:
    hints = typing.get_type_hints(options_cls)
    for f in dataclasses.fields(options_cls):
        required = f.default is MISSING and f.default_factory is MISSING
        yield OptionSpec(
            name=f.name, type=_base_type(hints[f.name]), default=None if required else f.default,
            required=required, help=f.metadata.get("help", ""), choices=f.metadata.get("choices"),
            minimum=f.metadata.get("minimum"), metavar=f.metadata.get("metavar"),
        )


def _base_type(hint: Any) -> type:
    """`int | None` -> int; options are plain scalars."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"an option is one scalar type or None, not {hint}")
        hint = args[0]
    if hint not in (int, float, str, bool):
        raise TypeError(f"an option is int, float, str or bool, not {hint}")
    return hint


def _is_instance(value: Any, typ: type) -> bool:
    if typ is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, typ)
