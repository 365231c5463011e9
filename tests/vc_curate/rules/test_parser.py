"""Parsing rules: one-line errors with hints for bad syntax, and a nesting limit instead of a RecursionError."""

from __future__ import annotations

import pyarrow as pa
import pytest

from vc_curate.rules import MAX_DEPTH, MAX_TESTS, RuleError, compile_rule

COLUMNS = ["quality", "authenticity", "critique", "error"]


def error_of(rule: str) -> str:
    with pytest.raises(RuleError) as err:
        compile_rule(rule, COLUMNS)
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("rule, message", [
    ("qualty > 5", "unknown field 'qualty' at position 1 in 'qualty > 5' (did you mean 'quality'?)"),
    ("authenticity == unknown", 'fields: authenticity, critique, error, quality; for the text "unknown", use double'),
    ("quality >", "expected a field, number or string but found the end"),
    ("quality > 1 and", "expected a field, number or string but found the end"),
    ("", "empty"),
    ("   ", "empty"),
    ("quality and 1", "expected a comparison"),
    ("(quality > 1", "expected ')'"),
    ("quality > 1)", "expected 'and', 'or' or the end but found ')'"),
    ("quality > 1 quality", "expected 'and', 'or' or the end"),
    ("5 > 3", "needs a field"),
    ("p50 > 3", "needs a field"),
    ("quality > p50 and p50 < 3", "needs a field"),
    ('__import__("os") > 1', "unknown field '__import__'"),
    ("quality is 5", "'null' after 'is'"),
    ("quality is not 5", "'null' after 'is not'"),
    ("5 is null", "'is null' needs a field"),
    ("quality contains 5", "'contains' needs a field on its left and a string"),
    ("quality >> 1", "expected a field, number or string but found '>'"),
    ("quality = 5", "unexpected character '=' at position 9 in 'quality = 5'; compare with =="),
    ('critique == "open', "the string is not closed"),
])
def test_syntax_errors_are_one_line(rule, message):
    assert message in error_of(rule)


@pytest.mark.parametrize("rule", [
    "authenticity == 'ai-generated'",
    "authenticity == \u201cai-generated\u201d",
    "authenticity == \u2018ai-generated\u2019",
])
def test_single_and_curly_quotes_get_a_hint(rule):
    message = error_of(rule)
    assert message.startswith("unexpected character")
    assert 'strings take double quotes, e.g. authenticity == "ai-generated"' in message


def test_escaped_quotes_inside_strings():
    t = pa.table({"critique": ['Sharp, "crisp".', "a\\b"]})
    assert compile_rule(r'critique == "Sharp, \"crisp\"."', t.column_names).mask(t).tolist() == [True, False]
    assert compile_rule(r'critique == "a\\b"', t.column_names).mask(t).tolist() == [False, True]


def nested(levels: int, kind: str) -> str:
    if kind == "parens":
        return "(" * levels + "quality > 1" + ")" * levels
    if kind == "not":
        return "not " * levels + "quality > 1"
    return "(not " * levels + "quality > 1" + ")" * levels  # each level is two: a parenthesis and a `not`


@pytest.mark.parametrize("kind", ["parens", "not", "both"])
def test_nesting_up_to_the_limit_evaluates(kind):
    levels = MAX_DEPTH if kind != "both" else MAX_DEPTH // 2
    t = pa.table({"quality": [0.0, 5.0], "error": [None, None]})
    expected = [False, True] if kind == "parens" or levels % 2 == 0 else [True, False]
    assert compile_rule(nested(levels, kind), t.column_names).mask(t).tolist() == expected


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 331, 400, 200_000])
@pytest.mark.parametrize("kind", ["parens", "not", "both"])
def test_deeper_nesting_is_a_one_line_error(levels, kind):
    message = error_of(nested(levels, kind))
    assert message.startswith(f"the rule nests deeper than {MAX_DEPTH} levels of parentheses and 'not'")
    assert len(message) < 200


def test_long_flat_chains_are_not_nesting():
    t = pa.table({"quality": [0.0, 5.0, None], "error": [None, None, None]})
    rule = " or ".join(f"quality == {i}" for i in range(1, 500))
    assert compile_rule(rule, t.column_names).mask(t).tolist() == [False, True, False]
    rule = " and ".join(["quality > 1"] * 500)
    assert compile_rule(rule, t.column_names).mask(t).tolist() == [False, True, False]


def test_the_number_of_comparisons_is_limited():
    compile_rule(" or ".join(["quality > 1"] * MAX_TESTS), COLUMNS)
    message = error_of(" or ".join(["quality > 1"] * (MAX_TESTS + 1)))
    assert message.startswith(f"the rule holds more than {MAX_TESTS} comparisons at position ")
    assert "comparisons at position" in error_of(" or ".join(["quality > 1"] * MAX_TESTS) + " or")


def test_long_rules_are_cut_short_in_messages():
    message = error_of(" or ".join(["quality > 1"] * 900) + " or qualty > 1")
    assert message.startswith("unknown field 'qualty' at position 13501 in 'quality > 1 or ")
    assert "(and 13,390 more characters)" in message and len(message) < 300
