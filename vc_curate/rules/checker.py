"""What each field can hold, and the one-line errors for comparisons that can never be true.

Record fields are known from the record's declaration before any data is read (so the CLI, Beam and
FiftyOne refuse a bad rule at once); columns carried from the source are known from their Arrow type when
a table arrives.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from vc_curate.fields import ENUM, FIELDS, TAGS
from vc_curate.rules.parser import Compare, Contains, Field, Literal, Percentile, RuleError, shown, walk


@dataclass(frozen=True)
class Holds:
    """What a field holds as far as rules care: numbers or text, and the only values or words it can hold."""

    number: bool | None  # None: nothing but nulls, comparable with anything
    values: tuple[str, ...] = ()  # an enumeration: every value it can hold
    words: tuple[str, ...] = ()  # `;`-separated words from this vocabulary (`contains`)

    def describe(self) -> str:
        return "a number" if self.number else "text"


def declared_fields() -> dict[str, Holds]:
    """What each record field holds, from its declaration in `vc_curate.fields`."""
    return {name: Holds(number=spec.numeric, values=spec.values if spec.kind == ENUM else (),
                        words=spec.values if spec.kind == TAGS else ())
            for name, spec in FIELDS.items()}


def holds_of_type(name: str, typ: pa.DataType) -> Holds:
    """What a column of this Arrow type holds; RuleError for types rules cannot compare."""
    if pa.types.is_null(typ):
        return Holds(number=None)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ):
        return Holds(number=True)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return Holds(number=False)
    raise RuleError(f"field {name!r} holds {typ}, which rules cannot compare")


def _show(node) -> str:
    if isinstance(node, Field):
        return node.name
    if isinstance(node, Percentile):
        return node.text
    return f"{node.value:g}" if isinstance(node.value, float) else f'"{node.value}"'


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _check_compare(node: Compare, holds: dict[str, Holds], text: str) -> None:
    def sort(side) -> bool | None:
        if isinstance(side, Field):
            return holds[side.name].number if side.name in holds else None
        return isinstance(side, Percentile) or isinstance(side.value, float)

    left, right = sort(node.left), sort(node.right)
    for side, other in ((node.left, node.right), (node.right, node.left)):
        if isinstance(side, Percentile) and sort(other) is False:
            raise RuleError(f"{side.text} needs a numeric field, not {_show(other)}, in {shown(text)}")
    if left is not None and right is not None and left != right:
        raise RuleError(f"cannot compare text with a number ({_show(node.left)} {node.op} {_show(node.right)}) "
                        f"in {shown(text)}; strings take double quotes")
    for side, other in ((node.left, node.right), (node.right, node.left)):
        if not (isinstance(side, Field) and isinstance(other, Literal) and side.name in holds):
            continue
        allowed = holds[side.name].values
        if allowed and other.value not in allowed:
            close = [v for v in allowed if v.lower() == str(other.value).lower()]
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise RuleError(f'{side.name} is never "{other.value}"{hint} in {shown(text)}; '
                            f"its values: {_quoted(allowed)}")


def _check_contains(node: Contains, holds: dict[str, Holds], text: str) -> None:
    if node.field.name not in holds:
        return
    words = holds[node.field.name].words
    if not words:
        tagged = sorted(name for name, h in holds.items() if h.words)
        which = f" ({', '.join(tagged)})" if tagged else ""
        raise RuleError(f"'contains' needs a field of ;-separated words{which}, not {node.field.name}, "
                        f"in {shown(text)}")
    if node.word not in words:
        raise RuleError(f'{node.field.name} never contains "{node.word}" in {shown(text)}; '
                        f"its words: {_quoted(words)}")


def check(tree, holds: dict[str, Holds], text: str) -> None:
    """RuleError for a comparison that can never be true; fields missing from `holds` are not checked yet."""
    for node in walk(tree):
        if isinstance(node, Compare):
            _check_compare(node, holds, text)
        elif isinstance(node, Contains):
            _check_contains(node, holds, text)
