"""vc-curate: VisualCritic-style image critique (quality, attributes, critique, authenticity) for curation."""

__version__ = "0.1.0"

from vc_curate.inputs import ImageInput, expand_inputs  # noqa: E402
from vc_curate.fields import FIELDS, FieldSpec  # noqa: E402
from vc_curate.record import SCHEMA, Record, records_to_table  # noqa: E402
from vc_curate.registry import list_scorers, load_scorer  # noqa: E402
from vc_curate.scorer import Scorer, Scores  # noqa: E402

__all__ = [
    "FIELDS", "SCHEMA", "FieldSpec", "ImageInput", "Record", "Scorer", "Scores",
    "expand_inputs", "list_scorers", "load_scorer", "records_to_table", "__version__",
]
