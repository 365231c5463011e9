"""Loading a model, its processor and an optional PEFT adapter, with errors that say what to do.

Stock architectures only (`AutoModelForImageTextToText`), safetensors only, remote code only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

DTYPES = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
          "float16": torch.float16, "fp16": torch.float16}


class ModelLoadError(OSError):
    """The model, processor or adapter could not be loaded; the message says what to do."""


@dataclass(slots=True)
class Loaded:
    model: Any
    processor: Any
    model_type: str
    revision: str  # the commit loaded (hub), the revision asked for, or "local"


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """`auto`: bf16 on GPUs that have it, else fp16 on GPU; fp32 on CPU."""
    if dtype == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    try:
        return DTYPES[dtype]
    except KeyError:
        raise ValueError(f"--dtype {dtype!r}: use auto, {', '.join(DTYPES)}") from None


def _hint(model: str) -> str:
    return (f"point --model at a local folder holding config.json, *.safetensors and the processor files "
            f"(e.g. made with `hf download {model} --local-dir DIR` on a machine with network access), "
            f"or check the model id and --revision")


def load(model: str, *, revision: str | None, adapter: str | None, dtype: torch.dtype, device: torch.device,
         trust_remote_code: bool) -> Loaded:
    from transformers import AutoConfig, AutoModelForImageTextToText

    local = Path(model).expanduser()
    if (model.startswith((".", "/", "~")) or local.exists()) and not local.is_dir():
        raise ModelLoadError(f"model folder {model} does not exist; {_hint(model)}")
    common = dict(revision=revision, trust_remote_code=trust_remote_code)
    try:
        config = AutoConfig.from_pretrained(model, **common)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load the config of model {model!r}: {_first_line(exc)}; {_hint(model)}") from None
    if type(config) not in AutoModelForImageTextToText._model_mapping and not trust_remote_code:
        raise ModelLoadError(
            f"model {model!r} (model_type {config.model_type!r}) is not a stock image-text-to-text architecture "
            "in this transformers version; use a supported family (see docs/lmm.md), upgrade transformers, "
            "or pass --trust-remote-code if you trust the model's own code")
    processor = load_processor(model, **common)
    try:
        net = AutoModelForImageTextToText.from_pretrained(
            model, dtype=dtype, use_safetensors=True, attn_implementation="sdpa", **common)
    except OSError as exc:
        raise ModelLoadError(
            f"cannot load the weights of model {model!r}: {_first_line(exc)}; only *.safetensors weights are "
            f"loaded (convert pickled .bin weights first); {_hint(model)}") from None
    if adapter:
        net = _with_adapter(net, adapter, revision)
    net.to(device).eval()
    rev = revision or getattr(config, "_commit_hash", None) or "local"
    return Loaded(net, processor, config.model_type, rev)


def load_processor(model: str, **common: Any) -> Any:
    """`AutoProcessor`; where torchvision is missing (transformers builds video processors only with it), the
    same processor class without its video half, every saved setting kept."""
    from transformers import AutoProcessor

    try:
        return AutoProcessor.from_pretrained(model, **common)
    except (ImportError, OSError, ValueError) as exc:
        if "torchvision" not in str(exc).lower():
            hint = "" if isinstance(exc, ImportError) else f"; {_hint(model)}"
            raise ModelLoadError(f"cannot load the processor of model {model!r}: {_first_line(exc)}{hint}") from None
    try:
        return _images_only_processor(model, **common)
    except (ImportError, OSError, ValueError) as exc:
        raise ModelLoadError(f"the processor of model {model!r} needs torchvision for more than its video half "
                             f"({_first_line(exc)}); install torchvision (the model's files are complete)") from None


def _images_only_processor(model: str, **common: Any) -> Any:
    """The family's processor class without its video processor (which transformers builds only with
    torchvision), loaded through the class's own `from_pretrained` so every saved setting is kept."""
    import transformers
    from transformers import AutoConfig
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES

    base = getattr(transformers, PROCESSOR_MAPPING_NAMES[AutoConfig.from_pretrained(model, **common).model_type])

    class ImagesOnly(base):
        @classmethod
        def get_attributes(cls) -> list[str]:
            return [a for a in super().get_attributes() if "video" not in a]

    ImagesOnly.__name__ = ImagesOnly.__qualname__ = base.__name__
    return ImagesOnly.from_pretrained(model, **common)


def _with_adapter(net: Any, adapter: str, revision: str | None) -> Any:
    """Apply a PEFT adapter (safetensors) and merge it, so scoring runs at the base model's speed."""
    try:
        from peft import PeftModel
    except ImportError:
        raise ModelLoadError("--adapter needs peft: pip install 'vc-curate[lmm]'") from None
    folder = Path(adapter).expanduser()
    if folder.is_dir() and not (folder / "adapter_model.safetensors").is_file():
        raise ModelLoadError(f"adapter folder {adapter} has no adapter_model.safetensors (only safetensors are loaded)")
    try:
        return PeftModel.from_pretrained(net, adapter, use_safetensors=True).merge_and_unload()
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load adapter {adapter!r}: {_first_line(exc)}; point --adapter at a local "
                             "folder with adapter_config.json and adapter_model.safetensors") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
