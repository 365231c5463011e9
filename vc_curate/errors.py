"""Turning an exception into the one line a user or a record sees."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first non-empty line of the exception's message, or its type name when the message is empty."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__
