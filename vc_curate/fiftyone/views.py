"""Views a curator reaches for once scores exist: the best N samples of each class."""

from __future__ import annotations

from collections import defaultdict

import fiftyone as fo

from vc_curate.fiftyone.fields import field_names


def best_per_group(samples: fo.core.collections.SampleCollection, group_field: str, n: int = 10, *,
                   prefix: str = "vc") -> fo.DatasetView:
    """The `n` highest-quality samples of each value of `group_field` (a field, or a Classification's label).

    Samples without a score (errors, unscored) are left out; the view is ordered by group, best first.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    score_path = field_names(prefix)["quality"]
    field = samples.get_field(group_field)
    if field is None:
        raise ValueError(f"no field {group_field!r} on this dataset")
    if isinstance(field, fo.EmbeddedDocumentField) and issubclass(field.document_type, fo.Classification):
        group_field = f"{group_field}.label"
    ids, groups, scores = samples.values(["id", group_field, score_path])
    ranked: dict[object, list[tuple[float, str]]] = defaultdict(list)
    for sid, group, score in zip(ids, groups, scores):
        if score is not None:
            ranked[group].append((score, sid))
    keep = [sid for group in sorted(ranked, key=str)
            for _, sid in sorted(ranked[group], key=lambda p: -p[0])[:n]]
    return samples.select(keep, ordered=True)
