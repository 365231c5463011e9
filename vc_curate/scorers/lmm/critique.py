"""A short critique composed from the model's own ratings, used when generation (`critique=True`) is off."""

from __future__ import annotations

_QUALITY = ((80, "excellent"), (60, "good"), (40, "fair"), (20, "poor"), (-1, "bad"))

# (attribute, below this: phrase, above this: phrase)
_ATTRIBUTES = (
    ("sharpness", 35, "blurry", 65, "sharp"),
    ("brightness", 30, "dark", 75, "very bright"),
    ("contrast", 30, "low in contrast", 75, "strongly contrasted"),
    ("colorfulness", 25, "muted in colour", 70, "vividly coloured"),
    ("noisiness", 20, "clean of noise", 55, "noisy"),
)
_GOOD = {"sharp", "clean of noise", "vividly coloured"}


def compose_critique(scores: dict[str, float | None]) -> str:
    """Fields missing or None (not asked by the recipe, or unparsable) are left out of the sentence."""
    if scores.get("quality") is None:
        return "The quality could not be rated."
    quality = next(word for floor, word in _QUALITY if scores["quality"] > floor)
    good, bad = [], []
    measured = [a for a in _ATTRIBUTES if scores.get(a[0]) is not None]
    for name, low, low_text, high, high_text in measured:
        value = scores[name]
        text = low_text if value < low else high_text if value > high else None
        if text:
            (good if text in _GOOD else bad).append(text)
    first = f"{quality.capitalize()} quality overall."
    if good and bad:
        return f"{first} It is {_join(good)}, but {_join(bad)}."
    if good or bad:
        return f"{first} It is {_join(good or bad)}."
    if len(measured) < len(_ATTRIBUTES):
        return first
    return f"{first} Brightness, contrast, colour, sharpness and noise are all moderate."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
