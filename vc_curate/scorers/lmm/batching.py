"""Grouping a batch by sequence length, and the out-of-memory back-off that never loses a record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import torch

T = TypeVar("T")
R = TypeVar("R")


def buckets(lengths: Sequence[int], max_rows: int, slack: float = 0.25) -> list[list[int]]:
    """Indices grouped by length (shortest first) so padding adds at most `slack` of the real tokens."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    for i in order:
        group = groups[-1] if groups else None
        if group is not None and len(group) < max_rows:
            real = sum(lengths[j] for j in group) + lengths[i]
            if lengths[i] * (len(group) + 1) <= (1 + slack) * real:
                group.append(i)
                continue
        groups.append([i])
    return groups


class Backoff:
    """Runs `fn` over a list, halving it on out-of-memory until it fits, and remembering the size that fits."""

    def __init__(self) -> None:
        self.max_rows: int | None = None  # set after an out-of-memory error; later batches are split below it

    def run(self, items: list[T], fn: Callable[[list[T]], list[R]]) -> list[R]:
        if self.max_rows is not None and len(items) > self.max_rows:
            return [r for i in range(0, len(items), self.max_rows) for r in self.run(items[i:i + self.max_rows], fn)]
        try:
            return fn(items)
        except torch.OutOfMemoryError:
            if len(items) == 1:
                raise
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            half = (len(items) + 1) // 2
            self.max_rows = half if self.max_rows is None else min(self.max_rows, half)
            return self.run(items[:half], fn) + self.run(items[half:], fn)
