"""Evaluating rules as Arrow expressions: three-valued logic, NaN, error records, percentiles, batches."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from vc_curate.rules import RuleError, compile_rule

NAN = math.nan
TABLE = pa.table({
    "quality": pa.array([10.0, 60.0, None, 90.0, 50.0, NAN], pa.float32()),
    "authenticity": ["photographic", "ai-generated", None, "unknown", "photographic", "photographic"],
    "critique": ["Blurry.", "Sharp.", None, "Sharp, \"crisp\".", None, "Odd."],
    "width": pa.array([100, 2000, None, 640, 1000, 10], pa.int32()),
    "error": [None, None, "decode failed: empty file", None, None, None],
})


def mask(rule: str, table: pa.Table = TABLE) -> list[bool]:
    return compile_rule(rule, table.column_names).mask(table).tolist()


@pytest.mark.parametrize("rule, expected", [
    ("quality >= 50", [False, True, False, True, True, False]),
    ("50 <= quality", [False, True, False, True, True, False]),
    ("quality > 50 and authenticity != \"ai-generated\"", [False, False, False, True, False, False]),
    ("quality < 20 or authenticity == \"unknown\"", [True, False, False, True, False, False]),
    ("not (quality < 50)", [False, True, False, True, True, False]),  # null and NaN stay unknown under `not`
    ("not not quality == 60", [False, True, False, False, False, False]),
    ("quality is null", [False, False, True, False, False, True]),  # NaN counts as null
    ("quality is not null", [True, True, False, True, True, False]),
    ("critique is not null and quality > 0", [True, True, False, True, False, False]),
    ("error is not null", [False, False, True, False, False, False]),
    ("error is null", [True, True, False, True, True, True]),
    ("critique == \"Sharp, \\\"crisp\\\".\"", [False, False, False, True, False, False]),
    ("(quality >= 50 or quality < 20) and not authenticity == \"ai-generated\"",
     [True, False, False, True, True, False]),
    ("quality > -1e3", [True, True, False, True, True, False]),
    ("width >= 1000", [False, True, False, False, True, False]),
    ("width > 999.5", [False, True, False, False, True, False]),
    ("quality < width", [True, True, False, True, True, False]),
    ("critique < \"C\"", [True, False, False, False, False, False]),
])
def test_semantics(rule, expected):
    assert mask(rule) == expected


TRUTH = {"T": 1.0, "F": -1.0, "U": None}  # `x > 0` is true, false or unknown


@pytest.mark.parametrize("rule, table", [
    ("x > 0 and y > 0", {"TT": "T", "TF": "F", "TU": "U", "FT": "F", "FF": "F", "FU": "F", "UT": "U", "UF": "F",
                         "UU": "U"}),
    ("x > 0 or y > 0", {"TT": "T", "TF": "T", "TU": "T", "FT": "T", "FF": "F", "FU": "U", "UT": "T", "UF": "U",
                        "UU": "U"}),
    ("not x > 0", {"TT": "F", "FT": "T", "UT": "U"}),
    ("not (x > 0 and y > 0)", {"TU": "U", "FU": "T", "UU": "U"}),
])
def test_three_valued_logic(rule, table):
    """A rule and its negation: true matches only the rule, false only its negation, unknown neither."""
    cases = list(table)
    data = pa.table({"x": [TRUTH[c[0]] for c in cases], "y": [TRUTH[c[1]] for c in cases],
                     "error": pa.nulls(len(cases), pa.string())})
    got = zip(mask(rule, data), mask(f"not ({rule})", data))
    assert [{(True, False): "T", (False, True): "F", (False, False): "U"}[pair] for pair in got] == list(table.values())


def test_error_records_are_unknown_in_every_comparison():
    t = pa.table({"quality": [None, 70.0, 20.0], "authenticity": [None, "unknown", "photographic"],
                  "error": ["read failed: gone", None, "score failed: oops"]})
    assert mask('quality < 50 or authenticity == "unknown" or not (quality > 10)', t) == [False, True, False]
    assert mask("not (quality > 10)", t) == [False, False, False]  # unknown on the last, though its value is 20
    assert mask('error == "read failed: gone" or error != "x"', t) == [False, False, False]
    assert mask("error is not null", t) == [True, False, True]
    assert mask("error is not null and quality is null", t) == [True, False, False]


def test_tags_contain_whole_words():
    t = pa.table({"defects": ["blur;noise", "motion-blur", "", None, "noise;blur", "haze;blur;glare", "blur"],
                  "error": [None, None, None, None, None, None, "decode failed: x"]})
    assert mask('defects contains "blur"', t) == [True, False, False, False, True, True, False]
    assert mask('not defects contains "blur"', t) == [False, True, True, False, False, False, False]
    assert mask('defects == ""', t) == [False, False, True, False, False, False, False]


def test_tables_without_an_error_column():
    t = pa.table({"quality": [40.0, 60.0]})
    assert mask("quality > 50", t) == [False, True]


def test_percentiles_are_over_the_records_at_hand():
    # usable values 10, 60, 90, 50: the error record (null), the NaN record are left out; p50 = 55
    assert mask("quality >= p50") == [False, True, False, True, False, False]
    assert mask("quality < p25") == [True, False, False, False, False, False]
    assert mask("quality <= p100 and quality >= p0") == [True, True, False, True, True, False]
    assert mask("p50 <= quality") == mask("quality >= p50")
    assert mask("width >= p50") == [False, True, False, True, True, False]  # of 100, 2000, 640, 1000, 10
    assert mask("quality > p12_5 and quality < p99_9") == [False, True, False, False, True, False]
    rule = compile_rule("quality > p80 and width < p20", TABLE.column_names)
    assert rule.uses_percentiles and rule.percentile_fields == ["quality", "width"]


def test_percentiles_skip_values_of_error_records():
    t = pa.table({"quality": [1000.0, 10.0, 20.0, 30.0], "error": ["score failed: x", None, None, None]})
    assert compile_rule("quality > p50", t.column_names).percentiles(t) == {("quality", 50.0): 20.0}
    assert mask("quality > p50", t) == [False, False, False, True]


def test_percentiles_given_from_a_larger_collection():
    rule = compile_rule("quality >= p50", TABLE.column_names)
    batch = TABLE.slice(0, 2)
    assert rule.mask(batch).tolist() == [False, True]  # p50 of 10 and 60 is 35
    assert rule.mask(batch, rule.percentiles(TABLE)).tolist() == [False, True]
    assert rule.mask(batch, {("quality", 50.0): 5.0}).tolist() == [True, True]
    assert rule.mask(batch, {("quality", 50.0): None}).tolist() == [False, False]  # no usable value at all


def test_percentiles_of_nothing_match_nothing():
    t = pa.table({"quality": pa.array([None, NAN], pa.float32()), "error": [None, None]})
    assert mask("quality < p50 or quality >= p50", t) == [False, False]
    empty = TABLE.slice(0, 0)
    nothing = compile_rule("quality > p50", empty.column_names).mask(empty)
    assert nothing.shape == (0,) and nothing.dtype == bool


def test_float32_fields_compare_with_the_nearest_float32():
    t = pa.table({"ai_generated": pa.array([0.7, 0.3], pa.float32())})
    assert mask("ai_generated == 0.7", t) == [True, False]
    assert mask("ai_generated >= 0.7", t) == [True, False]
    assert mask("ai_generated < 1e300", t) == [True, True]


def test_carried_columns_of_any_plain_type():
    t = pa.table({"flag": [True, False, None], "label": ["cat", "dog", None], "nothing": pa.nulls(3),
                  "big": pa.array([1, 2, 3], pa.int64()), "error": pa.nulls(3, pa.string())})
    assert mask("flag == 1", t) == [True, False, False]
    assert mask('label == "dog"', t) == [False, True, False]
    assert mask('nothing == "x" or nothing > 1 or nothing is not null', t) == [False, False, False]
    assert mask("big > p50", t) == [False, False, True]


@pytest.mark.parametrize("rule, table, message", [
    ("label > 5", pa.table({"label": ["a"]}), "cannot compare text with a number (label > 5)"),
    ("label > p50", pa.table({"label": ["a"]}), "p50 needs a numeric field, not label"),
    ("items == 1", pa.table({"items": [[1, 2]]}), "field 'items' holds list<item: int64>, which rules cannot compare"),
    ('label contains "a"', pa.table({"label": ["a"]}), "'contains' needs a field of ;-separated words"),
    ("quality > 5", pa.table({"quality": ["high"]}), "field 'quality' holds string in this table, not a number"),
])
def test_carried_columns_are_checked_when_the_table_arrives(rule, table, message):
    compiled = compile_rule(rule, table.column_names)
    with pytest.raises(RuleError) as err:
        compiled.mask(table)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_field_missing_from_the_table():
    compiled = compile_rule("quality > 5", ["quality", "uri"])
    with pytest.raises(RuleError, match="unknown field 'quality'"):
        compiled.mask(pa.table({"uri": ["a"]}))


def test_record_batches_and_many_chunks_keep_their_order():
    rng = np.random.default_rng(7)
    n = 200_000
    quality = rng.uniform(0, 100, n).astype(np.float32)
    quality[rng.random(n) < 0.05] = np.nan
    error = np.where(rng.random(n) < 0.02, "decode failed: x", None)
    whole = pa.table({"quality": quality, "error": pa.array(error, pa.string())})
    chunked = pa.Table.from_batches(whole.to_batches(max_chunksize=997))
    rule = compile_rule("quality >= 30 and not quality > 70", whole.column_names)
    expected = (quality >= 30) & ~(quality > 70) & (error == None)  # noqa: E711 (elementwise)
    assert np.array_equal(rule.mask(chunked), expected)
    batch = whole.slice(0, 5000).combine_chunks().to_batches()[0]
    assert np.array_equal(rule.mask(batch), expected[:5000])
