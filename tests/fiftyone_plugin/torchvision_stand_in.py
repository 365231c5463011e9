"""An import-only stand-in for torchvision, for machines where no torchvision build matches torch.

`fiftyone.utils.torch` imports torchvision at module level, although the bytes data-loader path that
`apply_model` takes with our `SupportsGetItem` model never calls it. No CPU torchvision wheel can be had here,
so the data-loader test installs this stand-in only when torchvision cannot be imported; anything that really
calls into it raises, so it cannot hide a path that needs torchvision. Its limits: it proves only that our
model's loader logic works once `fiftyone.utils.torch` imports; it says nothing about a real torchvision build
(versions, transforms), and the user-facing behaviour without torchvision is tested without it
(`test_without_torchvision_apply_model_stops_at_once_pointing_at_score_collection`).
"""

from __future__ import annotations

import sys
import types


def _unavailable(*_args, **_kwargs):
    raise RuntimeError("torchvision is not installed: this FiftyOne path needs the real package")


class _Unavailable(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _unavailable


def install() -> list[str]:
    """Register the stand-in modules that fiftyone.utils.torch imports; returns their names for removal."""
    names = ["torchvision", "torchvision.models", "torchvision.models.feature_extraction",
             "torchvision.transforms", "torchvision.transforms.functional"]
    modules = {name: _Unavailable(name) for name in names}
    for name, module in modules.items():
        module.__path__ = []  # a package, so submodule imports resolve through sys.modules
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(modules[parent], child, module)
        sys.modules[name] = module
    return names
