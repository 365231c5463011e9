"""--keep_if on the DirectRunner: batch by batch, with percentiles over the whole scored collection."""

from __future__ import annotations

import math

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.util import assert_that, equal_to

from beam_jobs.curate import main
from beam_jobs.filtering import ERRORS, KEPT, MAX_BATCH, REJECTED, Decide, compile_keep_if, records_table
from vc_curate.record import Record
from vc_curate.rules import RuleError


def scored(n: int = 10) -> list[Record]:
    recs = [Record(uri=f"u{i}", sha256=f"{i}", quality=float(10 * i), authenticity="photographic" if i % 2
                   else "ai-generated", scorer="t") for i in range(n)]
    return recs + [Record.failed("bad", "decode failed: nope", scorer="t")]


def split(pipeline, records: list[Record], rule: str, kept: list[str], rejected: list[str], errors: list[str]):
    with pipeline as p:
        out = p | beam.Create(records) | Decide(rule)
        for tag, expected in ((KEPT, kept), (REJECTED, rejected), (ERRORS, errors)):
            assert_that(out[tag] | f"uri {tag}" >> beam.Map(lambda r: r.uri), equal_to(expected), label=tag)


@pytest.mark.parametrize("rule, kept", [
    ('quality >= 50 and authenticity != "ai-generated"', {"u5", "u7", "u9"}),
    ("quality >= p80", {"u8", "u9"}),  # the 80th percentile of 0..90 is 72: over every record, not a batch
    ("error is not null or quality < 20", {"u0", "u1"}),  # error records go to errors whatever the rule says
])
def test_every_record_lands_in_one_output(pipeline, rule, kept):
    uris = {f"u{i}" for i in range(10)}
    split(pipeline, scored(), rule, sorted(kept), sorted(uris - kept), ["bad"])


def test_many_batches_duplicates_and_nan(pipeline):
    n = 3 * MAX_BATCH + 7
    records = [Record(uri=f"u{i}", sha256="same", quality=float(i % 100), scorer="t") for i in range(n)]
    records += [Record(uri="u0", sha256="same", quality=0.0, scorer="t"),  # given twice: two records
                Record(uri="nan", sha256="x", quality=math.nan, scorer="t"),
                Record(uri="null", sha256="y", scorer="t"),
                Record.failed("bad", "read failed: gone")]
    usable = [r for r in records if r.error is None and r.quality is not None and not math.isnan(r.quality)]
    p90 = np.percentile([r.quality for r in usable], 90)
    kept = [r.uri for r in usable if r.quality > p90]
    rejected = [r.uri for r in usable if r.quality <= p90] + ["nan", "null"]
    assert len(kept) > MAX_BATCH // 10 and len(kept) + len(rejected) == n + 3
    split(pipeline, records, "quality > p90", kept, rejected, ["bad"])


@pytest.mark.parametrize("records", [[], [Record.failed("bad", "decode failed: nope")]])
def test_percentiles_of_no_usable_record(pipeline, records):
    split(pipeline, records, "quality >= p50", [], [], [r.uri for r in records])


def test_records_table_has_the_record_types():
    table = records_table(scored(2), ["quality", "error", "width"])
    assert table.column_names == ["width", "quality", "error"]
    assert str(table.schema.field("quality").type) == "float" and table.num_rows == 3


@pytest.mark.parametrize("rule, message", [
    ("qualty >= 50", "unknown field 'qualty'"),
    ('authenticity == "AI-generated"', 'did you mean "ai-generated"?'),
    ("(" * 400 + "quality > 1" + ")" * 400, "the rule nests deeper than 100 levels"),
])
def test_bad_rules_are_one_line_errors(rule, message, tmp_path, capsys):
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace("?", r"\?")):
        compile_keep_if(rule)
    assert main(["--input", str(tmp_path), "--output_dir", str(tmp_path / "out"), "--keep_if", rule]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("curate: error: ") and message in err and len(err.splitlines()) == 1
