"""A FiftyOne `Model` over a vc-curate scorer, for `dataset.apply_model(model, label_field="vc")`.

FiftyOne's default loader decodes images itself and drops a whole batch when one fails; this model instead
implements `SupportsGetItem` so its data loader hands over each file's bytes (provenance needs them) and an
unreadable file becomes that sample's error record. `predict_all` never raises: one dict of field values
per input, which `apply_model` stores as `<label_field>_quality`, `<label_field>_error`, ... Null values are
left out (FiftyOne cannot type a new field from None), so re-running over scored samples does not clear a
field the new record lacks: re-score with `score_collection`, which does.
FiftyOne's data-loader path imports `fiftyone.utils.torch`, which imports torchvision: without a torchvision
that matches torch, `apply_model` stops before scoring with an error pointing at `score_collection`.
"""

from __future__ import annotations

import importlib
import io
from typing import Any

import fiftyone.core.models as fom
import numpy as np
from PIL import Image

from vc_curate.fiftyone.fields import record_values
from vc_curate.inputs import ImageInput, read_uri_bytes
from vc_curate.registry import load_scorer
from vc_curate.scorer import Scorer


class ReadBytes:
    """FiftyOne's `GetItem` contract: load one sample's file bytes; a read failure becomes the input's error.

    Duck-typed rather than subclassing `fiftyone.utils.torch.GetItem`, whose module needs torchvision at import.
    """

    required_keys = ["filepath"]

    def __init__(self, field_mapping: dict[str, str] | None = None):
        unknown = set(field_mapping or {}) - set(self.required_keys)
        if unknown:
            raise ValueError(f"unknown field_mapping key(s) {sorted(unknown)}; the only key is 'filepath'")
        self.field_mapping = {"filepath": "filepath", **(field_mapping or {})}

    def __call__(self, d: dict[str, Any]) -> ImageInput:
        uri = d.get("filepath") or "<no filepath>"
        try:
            return ImageInput(uri=uri, data=read_uri_bytes(uri))
        except Exception as exc:  # the sample's error record, never a dropped batch
            return ImageInput(uri=uri, error=f"read failed: {type(exc).__name__}: {exc}")


class VisualCriticModel(fom.Model, fom.SupportsGetItem, fom.TorchModelMixin):
    """Scores images with a vc-curate scorer: `VisualCriticModel("classic")` or `("lmm", model=...)`."""

    def __init__(self, scorer: str | Scorer = "classic", **scorer_options: Any):
        self.scorer = load_scorer(scorer, **scorer_options) if isinstance(scorer, str) else scorer
        self._preprocess = True

    def __enter__(self) -> VisualCriticModel:
        """`apply_model` enters the model before it builds its data loader: check that loader can import."""
        require_data_loader()
        return self

    @property
    def media_type(self) -> str:
        return "image"

    @property
    def ragged_batches(self) -> bool:
        return False  # True would make apply_model ignore batch_size; batches are lists, see collate_fn

    @property
    def transforms(self) -> None:
        return None

    @property
    def preprocess(self) -> bool:
        return self._preprocess

    @preprocess.setter
    def preprocess(self, value: bool) -> None:
        self._preprocess = value

    @property
    def has_collate_fn(self) -> bool:
        return True

    @staticmethod
    def collate_fn(batch: list[ImageInput]) -> list[ImageInput]:
        return list(batch)

    def build_get_item(self, field_mapping: dict[str, str] | None = None) -> ReadBytes:
        return ReadBytes(field_mapping=field_mapping)

    def predict(self, arg: Any) -> dict[str, Any]:
        return self.predict_all([arg])[0]

    def predict_all(self, args: Any) -> list[dict[str, Any]]:
        """One dict of non-null field values per input: ImageInputs, paths, (uri, bytes), or HWC uint8 arrays."""
        records = self.scorer.score([_as_input(a) for a in args])
        return [{k: v for k, v in record_values(r).items() if v is not None} for r in records]


def require_data_loader() -> None:
    """Raise a one-line ImportError unless FiftyOne's torch data loader (and so torchvision) imports."""
    try:
        importlib.import_module("torchvision")
        importlib.import_module("fiftyone.utils.torch")
    except Exception as exc:  # absent, or a build that does not match torch
        import torch

        raise ImportError(
            f"apply_model(VisualCriticModel(...)) needs torchvision, which FiftyOne's data loader imports "
            f"({type(exc).__name__}: {exc}): install the torchvision build that matches torch {torch.__version__}, "
            "or use vc_curate.fiftyone.score_collection(dataset), which writes the same fields without it"
        ) from None


def _as_input(arg: Any) -> Any:
    """Arrays and PIL images (FiftyOne's generic model inputs) are encoded losslessly; the rest passes through."""
    if isinstance(arg, (np.ndarray, Image.Image)):
        try:
            image = Image.fromarray(np.asarray(arg)) if isinstance(arg, np.ndarray) else arg
            buf = io.BytesIO()
            image.save(buf, format="PNG")
            return ImageInput(uri="<array>", data=buf.getvalue())
        except Exception as exc:
            return ImageInput(uri="<array>", error=f"decode failed: {type(exc).__name__}: {exc}")
    return arg
