"""Loading a model, its processor and an optional PEFT adapter, with errors that say what to do.

Stock architectures only (`AutoModelForImageTextToText`), safetensors only, remote code only when asked.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
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
        net = _from_pretrained(AutoModelForImageTextToText, model, dtype=dtype, use_safetensors=True, **common)
    except OSError as exc:
        raise ModelLoadError(
            f"cannot load the weights of model {model!r}: {_first_line(exc)}; only *.safetensors weights are "
            f"loaded (convert pickled .bin weights first); {_hint(model)}") from None
    if adapter:
        net = _with_adapter(net, adapter, revision)
    net.to(device).eval()
    rev = revision or getattr(config, "_commit_hash", None) or "local"
    return Loaded(net, processor, config.model_type, rev)


def _from_pretrained(auto: Any, model: str, **kwargs: Any) -> Any:
    """The model with SDPA attention, or eager where its layers have no SDPA path (Gemma 2's soft-capped
    attention, PaliGemma 2's language model); both take the 4-D masks the scorer builds."""
    try:
        return auto.from_pretrained(model, attn_implementation="sdpa", **kwargs)
    except ValueError as exc:
        if "scaled_dot_product_attention" not in str(exc):
            raise
    return auto.from_pretrained(model, attn_implementation="eager", **kwargs)


def load_processor(model: str, **common: Any) -> Any:
    """`AutoProcessor`; where torchvision is missing (transformers builds video processors only with it), the
    same processor class without its video half, every saved setting kept. PaliGemma's leaves the newline that
    closes its prompts to the chat template (`PROMPT_ENDS`)."""
    from transformers import AutoProcessor

    try:
        return _prompt_end_from_template(AutoProcessor.from_pretrained(model, **common))
    except (ImportError, OSError, ValueError) as exc:
        if "torchvision" not in str(exc).lower():
            hint = "" if isinstance(exc, ImportError) else f"; {_hint(model)}"
            raise ModelLoadError(f"cannot load the processor of model {model!r}: {_first_line(exc)}{hint}") from None
    try:
        return _prompt_end_from_template(_images_only_processor(model, **common))
    except (ImportError, OSError, ValueError) as exc:
        raise ModelLoadError(f"the processor of model {model!r} needs torchvision for more than its video half "
                             f"({_first_line(exc)}); install torchvision (the model's files are complete)") from None


# Processors that close every prompt with a fixed text after all the text they are given (PaliGemma's newline,
# after which the answer follows): a prefix processed alone would end with it, and no answer stem could follow.
PROMPT_ENDS = {"PaliGemmaProcessor": "\n"}


def _prompt_end_from_template(processor: Any) -> Any:
    """Such a processor, changed to leave that end to the chat template (which writes it where the prompt
    ends, before any answer stem); the rest of its layout (image tokens, BOS after them) is its own."""
    end = PROMPT_ENDS.get(type(processor).__name__)
    if end is None:
        return processor
    base = type(processor)

    class EndFromTemplate(base):
        def prepare_inputs_layout(self, images: Any = None, text: Any = None, **kwargs: Any) -> Any:
            images, text, *rest = super().prepare_inputs_layout(images=images, text=text, **kwargs)
            if images is not None and text is not None:
                text = [t.removesuffix(end) for t in text]
            return (images, text, *rest)

    EndFromTemplate.__name__ = EndFromTemplate.__qualname__ = base.__name__
    processor.__class__ = EndFromTemplate
    return processor


def _images_only_processor(model: str, **common: Any) -> Any:
    """The family's processor class without its video processor (which transformers builds only with
    torchvision), loaded through the class's own `from_pretrained` so every saved setting is kept."""
    from transformers import AutoConfig, ProcessorMixin
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES

    base = _processor_class(PROCESSOR_MAPPING_NAMES[AutoConfig.from_pretrained(model, **common).model_type])

    class ImagesOnly(base):
        @classmethod
        def get_attributes(cls) -> list[str]:
            return [a for a in super().get_attributes() if "video" not in a]

        def apply_chat_template(self, conversation: Any, chat_template: str | None = None, **kwargs: Any) -> Any:
            # A family's own override adds only video defaults (SmolVLM's reads its video processor's frame
            # rate); without the video half, the generic rendering is all of it.
            return ProcessorMixin.apply_chat_template(self, conversation, chat_template, **kwargs)

    ImagesOnly.__name__ = ImagesOnly.__qualname__ = base.__name__
    # A class whose __init__ requires a video processor (SmolVLM's) is given none.
    required = inspect.signature(base.__init__).parameters.get("video_processor")
    none = {"video_processor": None} if required and required.default is inspect.Parameter.empty else {}
    return ImagesOnly.from_pretrained(model, **none, **common)


def _processor_class(name: str) -> type:
    """The processor class `name`. Where transformers offers only a placeholder because the class's module
    imports helpers from the family's torchvision image processor module (Pixtral's processor imports
    `get_resize_output_image_size`), the module is imported with the family's PIL image processor module,
    which defines the same helpers, standing in for that one during the import."""
    import transformers
    from transformers import ProcessorMixin

    found = getattr(transformers, name)
    if isinstance(found, type) and issubclass(found, ProcessorMixin):
        return found
    package, leaf = found.__module__.rsplit(".", 1)
    family = leaf.removeprefix("processing_")
    torchvision_module, pil_module = f"{package}.image_processing_{family}", f"{package}.image_processing_pil_{family}"
    if torchvision_module in sys.modules or importlib.util.find_spec(pil_module) is None:
        return found  # nothing to stand in with: loading it raises transformers' own error, naming torchvision
    sys.modules[torchvision_module] = importlib.import_module(pil_module)
    try:
        return getattr(importlib.import_module(found.__module__), name)
    finally:
        del sys.modules[torchvision_module]


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
