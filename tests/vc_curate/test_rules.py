"""The rule language: syntax, null and error semantics, percentiles, and one-line errors."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from vc_curate.rules import RuleError, compile_rule

TABLE = pa.table({
    "quality": [10.0, 60.0, None, 90.0, 50.0],
    "authenticity": ["photographic", "ai-generated", None, "unknown", "photographic"],
    "critique": ["Blurry.", "Sharp.", None, "Sharp, \"crisp\".", None],
    "error": [None, None, "decode failed: empty file", None, None],
})


def mask(rule: str) -> list[bool]:
    return compile_rule(rule, TABLE.column_names).mask(TABLE).tolist()


@pytest.mark.parametrize("rule, expected", [
    ("quality >= 50", [False, True, False, True, True]),
    ("50 <= quality", [False, True, False, True, True]),
    ("quality > 50 and authenticity != \"ai-generated\"", [False, False, False, True, False]),
    ("quality < 20 or authenticity == \"unknown\"", [True, False, False, True, False]),
    ("not (quality < 50)", [False, True, False, True, True]),  # null stays unknown under `not`
    ("not not quality == 60", [False, True, False, False, False]),
    ("quality is null", [False, False, True, False, False]),
    ("critique is not null and quality > 0", [True, True, False, True, False]),
    ("error is not null", [False, False, True, False, False]),
    ("critique == \"Sharp, \\\"crisp\\\".\"", [False, False, False, True, False]),
    ("(quality >= 50 or quality < 20) and not authenticity == \"ai-generated\"", [True, False, False, True, True]),
    ("quality > -1e3", [True, True, False, True, True]),
])
def test_semantics(rule, expected):
    assert mask(rule) == expected


def test_percentiles_are_over_the_records_at_hand():
    # usable values 10, 60, 90, 50 (the error record is left out): p50 = 55
    assert mask("quality >= p50") == [False, True, False, True, False]
    assert mask("quality < p25") == [True, False, False, False, False]
    assert mask("quality <= p100 and quality >= p0") == [True, True, False, True, True]
    assert compile_rule("quality > p80", ["quality"]).uses_percentiles


def test_error_records_match_no_comparison():
    t = pa.table({"quality": [None, 70.0], "authenticity": [None, "unknown"], "error": ["read failed", None]})
    r = compile_rule('quality < 50 or authenticity == "unknown" or not (quality > 10)', t.column_names)
    assert r.mask(t).tolist() == [False, True]


def test_matches_one_row():
    rule = compile_rule("quality >= 50 and authenticity != \"ai-generated\"", TABLE.column_names)
    assert rule.matches({"quality": 70.0, "authenticity": "photographic", "error": None})
    assert not rule.matches({"quality": 70.0, "authenticity": "ai-generated", "error": None})
    with pytest.raises(RuleError, match="percentiles"):
        compile_rule("quality > p90", ["quality"]).matches({"quality": 1.0})


@pytest.mark.parametrize("rule, message", [
    ("qualty > 5", "unknown field 'qualty'"),
    ("quality >", "expected a field, number or string but found the end"),
    ("quality = 5", "unexpected character '='"),
    ("quality > 'x'", "unexpected character"),
    ("", "empty"),
    ("quality and 1", "expected a comparison"),
    ("(quality > 1", "expected ')'"),
    ("quality > 1 quality", "expected 'and', 'or' or the end"),
    ("quality > \"text\"", "cannot compare text with a number"),
    ("5 > 3", "needs a field"),
    ("p50 > 3", "needs a field"),
    ("__import__ > 1", "unknown field"),
    ("quality is 5", "'null' after 'is'"),
])
def test_errors_are_one_line(rule, message):
    with pytest.raises(RuleError) as err:
        mask(rule)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_empty_table_and_integer_fields():
    t = pa.table({"width": pa.array([], pa.int32()), "error": pa.array([], pa.string())})
    assert compile_rule("width > p50", t.column_names).mask(t).shape == (0,)
    t = pa.table({"width": [10, 2000], "error": [None, None]})
    assert np.array_equal(compile_rule("width >= 1000", t.column_names).mask(t), [False, True])
