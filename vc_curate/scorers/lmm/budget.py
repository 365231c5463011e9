"""The visual-token budget: how many pixels a dynamic-resolution processor may give one image.

Qwen-VL-family processors resize each image to a pixel count between a minimum and a maximum, and the
number of visual tokens follows it (one token per 28x28 pixels). The budget comes from the user's options,
else the recipe (how its critic was trained), else the checkpoint's saved processor settings; the decoder
then decodes no larger than the budget needs (`processor_long_side`).
"""

from __future__ import annotations

from typing import Any

from vc_curate.scorers.lmm.recipes import Recipe


def set_pixel_budget(image_processor: Any, min_pixels: int | None, max_pixels: int | None, recipe: Recipe) -> None:
    """Apply the budget to `image_processor` in place; ValueError for an explicit budget it cannot take."""
    if not has_pixel_budget(image_processor):
        if min_pixels or max_pixels:
            raise ValueError(f"image_min_pixels/image_max_pixels apply to dynamic-resolution processors (the "
                             f"Qwen-VL family); {type(image_processor).__name__} resizes every image to a fixed "
                             "size or tiling saved with the model")
        return
    from transformers.image_utils import SizeDict

    low = min_pixels or recipe.min_pixels or _edge(image_processor.size, "shortest_edge")
    high = max_pixels or recipe.max_pixels or _edge(image_processor.size, "longest_edge")
    if low > high:
        raise ValueError(f"image_min_pixels {low} is above image_max_pixels {high}")
    image_processor.size = SizeDict(shortest_edge=int(low), longest_edge=int(high))


def has_pixel_budget(image_processor: Any) -> bool:
    """Qwen-VL-family processors in transformers 5: `size` holds a pixel range, not a side."""
    size = getattr(image_processor, "size", None)
    return bool(getattr(image_processor, "merge_size", None)) and bool(_edge(size, "longest_edge"))


def _edge(size: Any, key: str) -> int | None:
    return size.get(key) if isinstance(size, dict) else getattr(size, key, None)
