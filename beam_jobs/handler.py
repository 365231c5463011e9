"""RunInference's `ModelHandler` over a vc_curate scorer: encoded `ImageInput`s in, one `Record` each out.

Beam's own HuggingFace/PyTorch handlers are not used: the core scorer already decodes, batches and isolates
failures, so the handler only loads it (once per process, or shared across processes) and calls `score`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import torch
from apache_beam.ml.inference.base import ModelHandler

from vc_curate.inputs import ImageInput
from vc_curate.record import Record
from vc_curate.registry import load_scorer, scorer_class
from vc_curate.scorer import Scorer


class ScorerModelHandler(ModelHandler[ImageInput, Record, Scorer]):
    """Batches of `batch_size` (the scorer's default when None); `large_model`/`model_copies` share one scorer
    per machine between worker processes (what a GPU worker wants); `torch_threads` caps torch's CPU threads
    in the process that loads the scorer, so that one process per core does not oversubscribe the CPU."""

    def __init__(self, scorer: str = "classic", *, batch_size: int | None = None, large_model: bool = False,
                 model_copies: int | None = None, torch_threads: int | None = None, **scorer_options: Any):
        size = batch_size or scorer_class(scorer).default_batch_size
        super().__init__(min_batch_size=size, max_batch_size=size, large_model=large_model,
                         model_copies=model_copies)
        self.scorer_name = scorer
        self.torch_threads = torch_threads
        self.scorer_options = {**scorer_options, "batch_size": size}

    def load_model(self) -> Scorer:
        if self.torch_threads:
            torch.set_num_threads(self.torch_threads)
        return load_scorer(self.scorer_name, **self.scorer_options)

    def run_inference(self, batch: Sequence[ImageInput], model: Scorer,
                      inference_args: dict[str, Any] | None = None) -> Iterable[Record]:
        return model.score(list(batch), batch_size=len(batch))

    def get_num_bytes(self, batch: Sequence[ImageInput]) -> int:
        return sum(len(item.data or b"") for item in batch)

    def get_metrics_namespace(self) -> str:
        return "vc_curate_inference"
