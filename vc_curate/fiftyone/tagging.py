"""Tag samples that match a rule of the CLI's rule language, e.g. `quality < 40 or authenticity == "ai-generated"`."""

from __future__ import annotations

import fiftyone as fo
import pyarrow as pa

from vc_curate.fiftyone.fields import field_names
from vc_curate.record import SCHEMA
from vc_curate.rules import compile_rule


def records_table(samples: fo.core.collections.SampleCollection, prefix: str = "vc") -> tuple[list[str], pa.Table]:
    """The samples' ids and their scores as a table of record columns (`uri` from filepath, sizes from metadata)."""
    schema = samples._root_dataset.get_field_schema()
    names = {name: path for name, path in field_names(prefix).items() if path in schema}
    if "quality" not in names:
        raise ValueError(f"no {prefix}_quality field on this dataset: score the samples first (score_samples)")
    paths = ["id", "filepath", "metadata.width", "metadata.height", *names.values()]
    ids, uris, widths, heights, *values = samples.values(paths)
    columns = {"uri": uris, "width": widths, "height": heights, **dict(zip(names, values))}
    table = pa.table({f.name: pa.array(columns[f.name], type=f.type) for f in SCHEMA if f.name in columns})
    return ids, table


def matching_ids(samples: fo.core.collections.SampleCollection, rule: str, prefix: str = "vc") -> list[str]:
    """Ids of the samples the rule matches; percentiles (`quality < p10`) are over `samples`."""
    compiled = compile_rule(rule, SCHEMA.names)
    ids, table = records_table(samples, prefix)
    mask = compiled.mask(table)
    return [sid for sid, hit in zip(ids, mask) if hit]


def tag_matching(samples: fo.core.collections.SampleCollection, rule: str, tag: str = "vc:reject", *,
                 prefix: str = "vc", remove: bool = False) -> int:
    """Add `tag` to the samples matching `rule` (or remove it from them); return how many matched."""
    ids = matching_ids(samples, rule, prefix)
    if ids:
        target = samples.select(ids)
        target.untag_samples(tag) if remove else target.tag_samples(tag)
    return len(ids)
