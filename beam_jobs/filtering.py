"""`--keep_if`: the rule language of `vc_curate.rules`, deciding kept / rejected; error records go to errors.

A rule without percentiles is evaluated record by record. A rule with percentiles (`quality >= p80`) is
evaluated once over the whole scored collection: the columns it names (plus uri, sha256, error) of every
record are gathered on one worker, which then decides each record; fine for tens of millions of records.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
import pyarrow as pa

from beam_jobs.metrics import counter
from vc_curate.record import FIELDS, SCHEMA, Record
from vc_curate.rules import Rule, compile_rule

KEPT, REJECTED, ERRORS = "kept", "rejected", "errors"


def compile_keep_if(text: str) -> Rule:
    """Raises `vc_curate.rules.RuleError` (one line) for bad syntax or unknown fields."""
    return compile_rule(text, FIELDS)


def _key(rec: Record) -> tuple[str, str]:
    return rec.uri, rec.sha256 or ""


def _route(rec: Record, keep: bool) -> beam.pvalue.TaggedOutput:
    if rec.error is not None:
        return beam.pvalue.TaggedOutput(ERRORS, rec)
    counter(KEPT if keep else REJECTED).inc()
    return beam.pvalue.TaggedOutput(KEPT if keep else REJECTED, rec)


class DecideEach(beam.DoFn):
    """Record -> kept / rejected / errors, for rules that need no other record."""

    def __init__(self, rule_text: str):
        self.rule_text = rule_text

    def setup(self) -> None:
        self.rule = compile_keep_if(self.rule_text)

    def process(self, rec: Record) -> Iterator:
        keep = rec.error is None and self.rule.matches({name: getattr(rec, name) for name in FIELDS})
        yield _route(rec, keep)


def _decisions(rows: list[dict], rule_text: str) -> Iterator[tuple[tuple[str, str], bool]]:
    rule = compile_keep_if(rule_text)
    mask = rule.mask(pa.Table.from_pylist(rows, schema=_narrow_schema(rule))) if rows else []
    for row, keep in zip(rows, mask):
        yield (row["uri"], row["sha256"] or ""), bool(keep)


def _narrow_schema(rule: Rule) -> pa.Schema:
    """The columns a percentile rule needs to decide every record."""
    wanted = {"uri", "sha256", "error", *rule.fields}
    return pa.schema([SCHEMA.field(name) for name in FIELDS if name in wanted])


def _route_joined(element: tuple[tuple[str, str], dict]) -> Iterator:
    _, groups = element
    keep = any(groups["keep"])
    for rec in groups["records"]:
        yield _route(rec, keep)


class Decide(beam.PTransform):
    """Records -> tagged `kept`, `rejected`, `errors`."""

    def __init__(self, rule_text: str):
        super().__init__()
        self.rule_text = rule_text

    def expand(self, records):
        rule = compile_keep_if(self.rule_text)
        if not rule.uses_percentiles:
            return records | beam.ParDo(DecideEach(self.rule_text)).with_outputs(KEPT, REJECTED, ERRORS)
        columns = _narrow_schema(rule).names
        rule_text = self.rule_text
        decisions = (
            records
            | "Narrow" >> beam.Map(lambda rec: {name: getattr(rec, name) for name in columns})
            | "Gather" >> beam.combiners.ToList()
            | "Percentiles" >> beam.FlatMap(lambda rows: _decisions(rows, rule_text))
        )
        keyed = records | "KeyRecords" >> beam.Map(lambda rec: (_key(rec), rec))
        return (
            {"records": keyed, "keep": decisions}
            | "JoinDecisions" >> beam.CoGroupByKey()
            | "Route" >> beam.FlatMap(_route_joined).with_outputs(KEPT, REJECTED, ERRORS)
        )
