"""The rule language of `--keep-if`, Beam's `--keep_if` and FiftyOne tagging; parsed, never `eval`ed.

    quality >= 50 and authenticity != "ai-generated"
    (sharpness < 30 or noisiness > p90) and not (critique is null)

Comparisons use three-valued logic: a comparison with null, or on an error record, is unknown; `not unknown`
stays unknown, and a rule that ends unknown does not match. `pNN` is the NNth percentile of the field on the
other side of the comparison over the records at hand (non-null values of records without an error).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FALSE, UNKNOWN, TRUE = 0, 1, 2  # ordered so that `and` is min, `or` is max, `not` is TRUE - x
_OPS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(
    r'\s*(?:(?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+)|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<op><=|>=|==|!=|<|>)|(?P<paren>[()])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<bad>\S))"
)
_PERCENTILE = re.compile(r"p(\d{1,2}(?:_\d+)?|100)$")
_KEYWORDS = {"and", "or", "not", "is", "null"}


class RuleError(ValueError):
    """A rule that cannot be parsed or evaluated; the message is one line and says where."""


@dataclass(frozen=True)
class _Field:
    name: str


@dataclass(frozen=True)
class _Literal:
    value: float | str


@dataclass(frozen=True)
class _Percentile:
    q: float
    text: str


@dataclass(frozen=True)
class _Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class _IsNull:
    field: _Field
    negate: bool


@dataclass(frozen=True)
class _Bool:
    op: str  # "and", "or", "not"
    args: tuple


class _Parser:
    def __init__(self, text: str, columns: set[str]):
        self.text = text
        self.columns = columns
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            if kind is None:
                break
            if kind == "bad":
                raise RuleError(f"unexpected character {m.group(kind)!r} at position {m.start(kind) + 1} in {text!r}")
            self.tokens.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        if text[pos:].strip():
            raise RuleError(f"cannot read {text[pos:].strip()!r} in {text!r}")
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take_word(self, word: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "name" and tok[1] == word:
            self.i += 1
            return True
        return False

    def fail(self, expected: str) -> RuleError:
        tok = self.peek()
        where = f"{tok[1]!r} at position {tok[2] + 1}" if tok else "the end"
        return RuleError(f"expected {expected} but found {where} in {self.text!r}")

    def parse(self):
        if not self.tokens:
            raise RuleError("the rule is empty")
        node = self.parse_or()
        if self.peek() is not None:
            raise self.fail("'and', 'or' or the end")
        return node

    def parse_or(self):
        args = [self.parse_and()]
        while self.take_word("or"):
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else _Bool("or", tuple(args))

    def parse_and(self):
        args = [self.parse_not()]
        while self.take_word("and"):
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else _Bool("and", tuple(args))

    def parse_not(self):
        if self.take_word("not"):
            return _Bool("not", (self.parse_not(),))
        tok = self.peek()
        if tok and tok[0] == "paren" and tok[1] == "(":
            self.i += 1
            node = self.parse_or()
            tok = self.peek()
            if not (tok and tok[1] == ")"):
                raise self.fail("')'")
            self.i += 1
            return node
        return self.parse_comparison()

    def parse_operand(self):
        tok = self.peek()
        if tok is None:
            raise self.fail("a field, number or string")
        kind, text, _ = tok
        self.i += 1
        if kind == "num":
            return _Literal(float(text))
        if kind == "str":
            return _Literal(re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "name" and text not in _KEYWORDS:
            if text in self.columns:
                return _Field(text)
            pm = _PERCENTILE.match(text)
            if pm:
                return _Percentile(float(pm.group(1).replace("_", ".")), text)
            raise RuleError(f"unknown field {text!r} in {self.text!r}; fields: {', '.join(sorted(self.columns))}")
        self.i -= 1
        raise self.fail("a field, number or string")

    def parse_comparison(self):
        left = self.parse_operand()
        if self.take_word("is"):
            negate = self.take_word("not")
            if not self.take_word("null"):
                raise self.fail("'null' after 'is'" if not negate else "'null' after 'is not'")
            if not isinstance(left, _Field):
                raise RuleError(f"'is null' needs a field on its left in {self.text!r}")
            return _IsNull(left, negate)
        tok = self.peek()
        if not (tok and tok[0] == "op"):
            raise self.fail("a comparison (< <= > >= == !=) or 'is null'")
        self.i += 1
        right = self.parse_operand()
        fields = [x for x in (left, right) if isinstance(x, _Field)]
        if not fields:
            raise RuleError(f"a comparison needs a field on one side in {self.text!r}")
        for side, other in ((left, right), (right, left)):
            if isinstance(side, _Percentile) and not isinstance(other, _Field):
                raise RuleError(f"{side.text} needs a field on the other side in {self.text!r}")
        return _Compare(tok[1], left, right)


def _walk(node):
    yield node
    if isinstance(node, _Bool):
        for a in node.args:
            yield from _walk(a)
    elif isinstance(node, _Compare):
        yield node.left
        yield node.right


class Rule:
    """A compiled rule: `mask(table)` over many records, `matches(row)` for one."""

    def __init__(self, text: str, columns: Iterable[str]):
        self.text = text
        self._tree = _Parser(text, set(columns)).parse()
        self.uses_percentiles = any(isinstance(n, _Percentile) for n in _walk(self._tree))
        self.fields = sorted({n.name for n in _walk(self._tree) if isinstance(n, _Field)})

    def __repr__(self) -> str:
        return f"Rule({self.text!r})"

    def mask(self, table: pa.Table) -> np.ndarray:
        """True where the record matches; False where it does not or the answer is unknown."""
        missing = [f for f in self.fields if f not in table.column_names]
        if missing:
            raise RuleError(f"unknown field {missing[0]!r} in {self.text!r}; fields: {', '.join(table.column_names)}")
        ctx = _Context(table)
        return self._eval(self._tree, ctx) == TRUE

    def matches(self, row: dict[str, Any]) -> bool:
        if self.uses_percentiles:
            raise RuleError(f"{self.text!r} uses percentiles, which need all the records at hand, not one")
        return bool(self.mask(pa.Table.from_pylist([row]))[0])

    def _eval(self, node, ctx: "_Context") -> np.ndarray:
        if isinstance(node, _Bool):
            parts = [self._eval(a, ctx) for a in node.args]
            if node.op == "not":
                return TRUE - parts[0]
            combine = np.minimum if node.op == "and" else np.maximum
            out = parts[0]
            for p in parts[1:]:
                out = combine(out, p)
            return out
        if isinstance(node, _IsNull):
            null = ctx.null(node.field.name)
            return np.where(null != node.negate, TRUE, FALSE).astype(np.int8)
        return self._compare(node, ctx)

    def _compare(self, node: _Compare, ctx: "_Context") -> np.ndarray:
        field = node.left if isinstance(node.left, _Field) else node.right
        left = ctx.operand(node.left, field.name, self.text)
        right = ctx.operand(node.right, field.name, self.text)
        left_str, right_str = _is_str(left), _is_str(right)
        if left_str != right_str:
            raise RuleError(f"cannot compare text with a number in {self.text!r} (quote strings with \")")
        unknown = ctx.unknown_for(node.left) | ctx.unknown_for(node.right)
        with np.errstate(invalid="ignore"):
            if left_str:
                lv = np.broadcast_to(np.asarray(left, dtype=object), (ctx.n,))
                rv = np.broadcast_to(np.asarray(right, dtype=object), (ctx.n,))
                result = np.array([_apply(node.op, a, b) if not u else False
                                   for a, b, u in zip(lv, rv, unknown)], dtype=bool)
            else:
                result = _apply(node.op, np.asarray(left, dtype=float), np.asarray(right, dtype=float))
                result = np.broadcast_to(result, (ctx.n,))
        out = np.where(result, TRUE, FALSE).astype(np.int8)
        out[unknown] = UNKNOWN
        return out


def _is_str(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, np.ndarray) and value.dtype == object


def _apply(op: str, a, b):
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


class _Context:
    """Column access for one table: values, nulls, and the rows where any comparison is unknown."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.n = table.num_rows
        if "error" in table.column_names:
            self.error_rows = ~pc.is_null(table.column("error")).to_numpy(zero_copy_only=False)
        else:
            self.error_rows = np.zeros(self.n, dtype=bool)

    def null(self, name: str) -> np.ndarray:
        return pc.is_null(self.table.column(name), nan_is_null=True).to_numpy(zero_copy_only=False)

    def values(self, name: str):
        col = self.table.column(name)
        typ = col.type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            return np.array(col.to_pylist(), dtype=object)
        if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ):
            return col.cast(pa.float64()).fill_null(np.nan).to_numpy()
        if pa.types.is_null(typ):
            return np.full(self.n, np.nan)
        raise RuleError(f"field {name!r} has type {typ}, which rules cannot compare")

    def operand(self, node, field_name: str, text: str):
        if isinstance(node, _Field):
            return self.values(node.name)
        if isinstance(node, _Literal):
            return node.value
        values = self.values(field_name)
        if _is_str(values):
            raise RuleError(f"{node.text} needs a numeric field, not {field_name!r}, in {text!r}")
        usable = values[~self.error_rows & ~np.isnan(values)]
        return float(np.percentile(usable, node.q)) if usable.size else np.nan

    def unknown_for(self, node) -> np.ndarray:
        if isinstance(node, _Field):
            return self.null(node.name) | self.error_rows
        if isinstance(node, _Percentile):
            return np.zeros(self.n, dtype=bool) | self.error_rows
        return np.zeros(self.n, dtype=bool)


def compile_rule(text: str, columns: Iterable[str]) -> Rule:
    return Rule(text, columns)
