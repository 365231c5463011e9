"""vc-curate inside FiftyOne: score a sample collection, tag it by rule, and a `Model` for `apply_model`.

Importing this module imports fiftyone; importing `vc_curate` alone never does.
"""

from vc_curate.fiftyone.collection import Progress, iter_score_collection, score_collection, write_records
from vc_curate.fiftyone.fields import OUTPUT_FIELDS, field_names
from vc_curate.fiftyone.model import VisualCriticModel
from vc_curate.fiftyone.tagging import matching_ids, records_table, tag_matching
from vc_curate.fiftyone.views import best_per_group

__all__ = [
    "OUTPUT_FIELDS", "Progress", "VisualCriticModel", "best_per_group", "field_names", "matching_ids",
    "iter_score_collection", "records_table", "score_collection", "tag_matching", "write_records",
]
