"""`--keep_if`: the rule language of `vc_curate.rules`, deciding kept / rejected; error records go to errors.

Records are decided in batches (`BatchElements`): each batch becomes a small Arrow table of the fields the
rule names, evaluated by the rule's one Arrow expression. A rule with percentiles (`quality >= p80`) first
computes them over the whole scored collection: the values of the fields it takes percentiles of (a few
bytes per record, error records left out) are gathered on one worker, and the percentiles reach every batch
as a side input; fine for tens of millions of records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import pyarrow as pa

from beam_jobs.metrics import counter
from vc_curate.record import FIELDS, SCHEMA, Record
from vc_curate.rules import Rule, compile_rule

KEPT, REJECTED, ERRORS = "kept", "rejected", "errors"
MAX_BATCH = 1024


def compile_keep_if(text: str) -> Rule:
    """Raises `vc_curate.rules.RuleError` (one line) for bad syntax, unknown fields or impossible comparisons."""
    return compile_rule(text, FIELDS)


def records_table(records: Iterable[Record], names: Iterable[str]) -> pa.Table:
    """The named fields of `records` as an Arrow table with the record schema's types."""
    records, names = list(records), set(names)
    return pa.table({name: pa.array([getattr(rec, name) for rec in records], SCHEMA.field(name).type)
                     for name in FIELDS if name in names})


def _route(rec: Record, keep: bool) -> beam.pvalue.TaggedOutput:
    if rec.error is not None:
        return beam.pvalue.TaggedOutput(ERRORS, rec)
    counter(KEPT if keep else REJECTED).inc()
    return beam.pvalue.TaggedOutput(KEPT if keep else REJECTED, rec)


class DecideBatch(beam.DoFn):
    """A batch of records -> kept / rejected / errors, with percentiles (if any) of the whole collection."""

    def __init__(self, rule_text: str):
        self.rule_text = rule_text

    def setup(self) -> None:
        self.rule = compile_keep_if(self.rule_text)

    def process(self, records: list[Record], percentiles=None) -> Iterator:
        keep = self.rule.mask(records_table(records, [*self.rule.fields, "error"]), percentiles)
        for rec, kept in zip(records, keep):
            yield _route(rec, bool(kept))


def _percentile_values(records: list[Record], fields: list[str]) -> pa.Table:
    """The values of the fields a rule takes percentiles of, from the records without an error."""
    return records_table((rec for rec in records if rec.error is None), fields)


def _percentiles(tables: list[pa.Table], rule_text: str) -> dict:
    rule = compile_keep_if(rule_text)
    values = pa.concat_tables(tables) if tables else records_table([], rule.percentile_fields)
    return rule.percentiles(values)


class Decide(beam.PTransform):
    """Records -> tagged `kept`, `rejected`, `errors`; every record lands in exactly one."""

    def __init__(self, rule_text: str):
        super().__init__()
        self.rule_text = rule_text

    def expand(self, records):
        batches = records | "Batch" >> beam.BatchElements(max_batch_size=MAX_BATCH)
        percentiles, rule = None, compile_keep_if(self.rule_text)
        if rule.uses_percentiles:
            percentiles = beam.pvalue.AsSingleton(
                batches
                | "PercentileValues" >> beam.Map(_percentile_values, rule.percentile_fields)
                | "Gather" >> beam.combiners.ToList()
                | "Percentiles" >> beam.Map(_percentiles, self.rule_text))
        return batches | "Decide" >> beam.ParDo(DecideBatch(self.rule_text), percentiles).with_outputs(
            KEPT, REJECTED, ERRORS)
