"""Rule text -> syntax tree, by a hand-written recursive-descent parser (never Python `eval`).

    rule       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" or ")" | comparison
    comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
                | field "contains" string | field "is" ["not"] "null"
    operand    := field | number | string | pNN

Nesting (parentheses and `not`) is limited to MAX_DEPTH levels, so no rule can exhaust the stack, and a rule
holds at most MAX_TESTS comparisons (Arrow's expression binding grows with their square).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import get_close_matches

MAX_DEPTH = 100
MAX_TESTS = 1000

_TOKEN = re.compile(
    r'\s*(?:(?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+)|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<op><=|>=|==|!=|<|>)|(?P<paren>[()])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<bad>\S))"
)
_PERCENTILE = re.compile(r"p(\d{1,2}(?:_\d+)?|100)$")
KEYWORDS = {"and", "or", "not", "is", "null", "contains"}
_QUOTES = "'\u2018\u2019\u201c\u201d"


class RuleError(ValueError):
    """A rule that cannot be parsed, checked or evaluated; the message is one line and says where."""


def shown(text: str, limit: int = 120) -> str:
    """`text` quoted for an error message, cut short past `limit` characters so the message stays readable."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f" (and {len(text) - limit:,} more characters)"


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Literal:
    value: float | str


@dataclass(frozen=True)
class Percentile:
    q: float  # 0..100
    text: str


@dataclass(frozen=True)
class Compare:
    op: str
    left: Field | Literal | Percentile
    right: Field | Literal | Percentile


@dataclass(frozen=True)
class Contains:
    field: Field
    word: str


@dataclass(frozen=True)
class IsNull:
    field: Field
    negate: bool


@dataclass(frozen=True)
class Logic:
    op: str  # "and", "or", "not"
    args: tuple


def walk(node):
    """Every node of the tree, depth first."""
    yield node
    if isinstance(node, Logic):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, Compare):
        yield node.left
        yield node.right
    elif isinstance(node, (Contains, IsNull)):
        yield node.field


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:
            break
        if kind == "bad":
            char, where = m.group(kind), m.start(kind) + 1
            hint = ""
            if char in _QUOTES:
                hint = '; strings take double quotes, e.g. authenticity == "ai-generated"'
            elif char == "=":
                hint = "; compare with =="
            elif char == '"':
                hint = "; the string is not closed"
            raise RuleError(f"unexpected character {char!r} at position {where} in {shown(text)}{hint}")
        tokens.append((kind, m.group(kind), m.start(kind)))
    return tokens


class _Parser:
    def __init__(self, text: str, columns: set[str]):
        self.text = text
        self.columns = columns
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0
        self.tests = 0

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
        where = f"{shown(tok[1])} at position {tok[2] + 1}" if tok else "the end"
        return RuleError(f"expected {expected} but found {where} in {shown(self.text)}")

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
        return args[0] if len(args) == 1 else Logic("or", tuple(args))

    def parse_and(self):
        args = [self.parse_not()]
        while self.take_word("and"):
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else Logic("and", tuple(args))

    def parse_not(self):
        tok = self.peek()
        if not (tok and (tok[1] == "not" and tok[0] == "name" or tok[1] == "(")):
            return self.parse_comparison()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(f"the rule nests deeper than {MAX_DEPTH} levels of parentheses and 'not' "
                            f"at position {tok[2] + 1}")
        self.i += 1
        if tok[1] == "not":
            node = Logic("not", (self.parse_not(),))
        else:
            node = self.parse_or()
            if self.peek() is None or self.peek()[1] != ")":
                raise self.fail("')'")
            self.i += 1
        self.depth -= 1
        return node

    def parse_operand(self):
        tok = self.peek()
        if tok is None:
            raise self.fail("a field, number or string")
        kind, text, _ = tok
        if kind == "num":
            self.i += 1
            return Literal(float(text))
        if kind == "str":
            self.i += 1
            return Literal(re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "name" and text not in KEYWORDS:
            self.i += 1
            if text in self.columns:
                return Field(text)
            pm = _PERCENTILE.match(text)
            if pm:
                return Percentile(float(pm.group(1).replace("_", ".")), text)
            after_op = self.i > 1 and self.tokens[self.i - 2][0] == "op"
            hint = f'; for the text "{text}", use double quotes' if after_op else ""
            raise RuleError(f"unknown field {shown(text)} at position {tok[2] + 1} in {shown(self.text)}"
                            f"{_did_you_mean(text, self.columns)}; fields: {', '.join(sorted(self.columns))}{hint}")
        raise self.fail("a field, number or string")

    def parse_comparison(self):
        self.tests += 1
        if self.tests > MAX_TESTS:
            where = self.peek()[2] + 1 if self.peek() else len(self.text)
            raise RuleError(f"the rule holds more than {MAX_TESTS} comparisons at position {where}")
        left = self.parse_operand()
        if self.take_word("is"):
            negate = self.take_word("not")
            if not self.take_word("null"):
                raise self.fail("'null' after 'is not'" if negate else "'null' after 'is'")
            if not isinstance(left, Field):
                raise RuleError(f"'is null' needs a field on its left in {shown(self.text)}")
            return IsNull(left, negate)
        if self.take_word("contains"):
            word = self.parse_operand()
            if not (isinstance(left, Field) and isinstance(word, Literal) and isinstance(word.value, str)):
                raise RuleError("'contains' needs a field on its left and a string on its right in "
                                f"{shown(self.text)}")
            return Contains(left, word.value)
        tok = self.peek()
        if not (tok and tok[0] == "op"):
            raise self.fail("a comparison (< <= > >= == != contains) or 'is null'")
        self.i += 1
        right = self.parse_operand()
        if not any(isinstance(side, Field) for side in (left, right)):
            raise RuleError(f"a comparison needs a field on one side in {shown(self.text)}")
        for side, other in ((left, right), (right, left)):
            if isinstance(side, Percentile) and not isinstance(other, Field):
                raise RuleError(f"{side.text} needs a field on the other side in {shown(self.text)}")
        return Compare(tok[1], left, right)


def _did_you_mean(name: str, columns: set[str]) -> str:
    close = get_close_matches(name, sorted(columns), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse(text: str, columns: set[str]):
    """The syntax tree of `text`, whose field names must be among `columns`; raises RuleError."""
    return _Parser(text, columns).parse()
