"""Fine-tuning a critic with VisualCritic's multi-stage recipe: relativity, then multifunctional, then
instruction; LoRA adapters on the language model that the `lmm` scorer loads with `adapter=DIR`."""

from vc_curate.training.labels import LabelSet, read_label_set
from vc_curate.training.trainer import STAGES, TrainConfig, TrainResult, train

__all__ = ["STAGES", "LabelSet", "TrainConfig", "TrainResult", "read_label_set", "train"]
