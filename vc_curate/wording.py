"""Counts in words, the same in every command's output."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 image`, `2 images`, `1,000 images`."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"
