"""The front door: `load_scorer(name, **options)` and `list_scorers()`.

Scorers are imported only when loaded, so `classic` never pulls in transformers.
"""

from __future__ import annotations

import importlib
import inspect

from vc_curate.scorer import Scorer

_SCORERS = {
    "classic": "vc_curate.scorers.classic:ClassicScorer",
    "lmm": "vc_curate.scorers.lmm:LMMScorer",
}


def list_scorers() -> list[str]:
    return sorted(_SCORERS)


def scorer_class(name: str) -> type[Scorer]:
    try:
        target = _SCORERS[name]
    except KeyError:
        raise ValueError(f"unknown scorer {name!r}; choose one of: {', '.join(list_scorers())}") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def load_scorer(name: str = "classic", **options) -> Scorer:
    cls = scorer_class(name)
    accepted = scorer_options(cls)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(
            f"scorer {name!r} does not take option(s) {', '.join(unknown)}; it takes: {', '.join(accepted)}"
        )
    return cls(**options)


def scorer_options(cls: type[Scorer]) -> list[str]:
    """Keyword options a scorer class accepts, its own and its bases' (subclasses forward **options)."""
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for p in inspect.signature(init).parameters.values():
            if p.kind is p.KEYWORD_ONLY and p.name not in names:
                names.append(p.name)
    return names
