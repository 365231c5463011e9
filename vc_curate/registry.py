"""The front door: `load_scorer(name, **options)` and `list_scorers()`.

Built-in scorers and those other packages register in the `vc_curate.scorers` entry-point group (as
`name = "module:Class"`) appear in every front end. Scorers are imported only when loaded or when a front end
asks for their options, so `classic` never pulls in transformers.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from vc_curate.options import ScorerOptions
from vc_curate.scorer import Scorer

ENTRY_POINT_GROUP = "vc_curate.scorers"
_BUILT_IN = {
    "classic": "vc_curate.scorers.classic:ClassicScorer",
    "lmm": "vc_curate.scorers.lmm:LMMScorer",
}


@cache
def _targets() -> dict[str, str]:
    found = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return {**found, **_BUILT_IN}  # a plug-in cannot shadow a built-in name


def list_scorers() -> list[str]:
    return sorted(_targets())


def scorer_class(name: str) -> type[Scorer]:
    try:
        target = _targets()[name]
    except KeyError:
        raise ValueError(f"unknown scorer {name!r}; choose one of: {', '.join(list_scorers())}") from None
    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Scorer)):
        raise TypeError(f"scorer {name!r} ({target}) is not a vc_curate.Scorer subclass")
    return cls


def load_scorer(name: str = "classic", **options) -> Scorer:
    return scorer_class(name)(**options)


def options_classes() -> dict[str, type[ScorerOptions]]:
    """Each scorer's `Options` dataclass, for the front ends that generate their flags and forms from them.

    A scorer whose module cannot be imported here (an extra that is not installed) is left out."""
    classes = {}
    for name in list_scorers():
        try:
            classes[name] = scorer_class(name).Options
        except ImportError:
            continue
    return classes
