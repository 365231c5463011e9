"""The most common errors of a scores table, with what differs between images masked out."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_BYTES = re.compile(r"\b(?:[0-9a-fA-F]{2} ){2,}[0-9a-fA-F]{2}\b")
_NUMBER = re.compile(r"\d[\d,.]*")


@dataclass(slots=True)
class ErrorKind:
    kind: str  # the message with paths, quoted names, byte dumps and numbers masked
    count: int
    example_uri: str
    example_error: str


def error_kind(error: str, uri: str) -> str:
    """What makes errors alike: `read failed: ... No such file or directory: '/a/b.jpg'` and the same for
    `/c/d.jpg` are one kind."""
    text = error.replace(uri, "…") if uri else error
    text = _QUOTED.sub("'…'", text)
    text = _BYTES.sub("…", text)
    return _NUMBER.sub("N", text)


def common_errors(uris: list[str], errors: list[str | None], top: int = 10) -> list[ErrorKind]:
    """The `top` most frequent kinds of error, most frequent first, each with one example."""
    counts: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    for uri, error in zip(uris, errors):
        if error is None:
            continue
        kind = error_kind(error, uri)
        counts[kind] += 1
        examples.setdefault(kind, (uri, error))
    return [ErrorKind(kind, count, *examples[kind]) for kind, count in counts.most_common(top)]
