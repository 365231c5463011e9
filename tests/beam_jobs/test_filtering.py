"""--keep_if on the DirectRunner: per record, and with percentiles over the whole scored collection."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from beam_jobs.filtering import ERRORS, KEPT, REJECTED, Decide, compile_keep_if
from vc_curate.record import Record
from vc_curate.rules import RuleError


def scored(n: int = 10) -> list[Record]:
    recs = [Record(uri=f"u{i}", sha256=f"{i}", quality=float(10 * i), authenticity="photographic" if i % 2
                   else "ai-generated", scorer="t") for i in range(n)]
    return recs + [Record.failed("bad", "decode failed: nope", scorer="t")]


@pytest.mark.parametrize("rule, kept", [
    ('quality >= 50 and authenticity != "ai-generated"', {"u5", "u7", "u9"}),
    ("quality >= p80", {"u8", "u9"}),  # the 80th percentile of 0..90 is 72: over every record, not a bundle
])
def test_every_record_lands_in_one_output(pipeline, rule, kept):
    uris = {f"u{i}" for i in range(10)}
    with pipeline as p:
        out = p | beam.Create(scored()) | Decide(rule)
        assert_that(out[KEPT] | "k" >> beam.Map(lambda r: r.uri), equal_to(sorted(kept)), label="kept")
        assert_that(out[REJECTED] | "r" >> beam.Map(lambda r: r.uri), equal_to(sorted(uris - kept)),
                    label="rejected")
        assert_that(out[ERRORS] | "e" >> beam.Map(lambda r: r.uri), equal_to(["bad"]), label="errors")


def test_bad_rules_are_one_line_errors():
    with pytest.raises(RuleError, match="unknown field"):
        compile_keep_if("qualty >= 50")
