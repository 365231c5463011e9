"""A few plain sentences about visual quality, composed from the attribute amounts and defects."""

from __future__ import annotations


def compose_critique(ms: dict[str, float], attrs: dict[str, float], defects: dict[str, float]) -> str:
    """`ms`: raw measurements, `attrs`: the five amounts (0..100), `defects`: each defect's amount (0..1)."""
    good: list[str] = []
    bad: list[str] = []
    sharp = attrs["sharpness"]
    if sharp >= 60:
        good.append("sharp")
    elif sharp < 35:
        bad.append("the image is blurry")
    else:
        bad.append("fine detail is slightly soft")
    if defects["dark"] > 0.5 or ms["mean_lightness"] < 20:
        bad.append("it is underexposed and dark")
    elif defects["overexposed"] > 0.5:
        bad.append("highlights are blown out")
    elif defects["veil"] > 0.5:
        bad.append("a bright veil of glare washes out part of the frame")
    else:
        good.append("well exposed")
    if attrs["contrast"] < 30:
        bad.append("contrast is low")
    if attrs["colorfulness"] < 15:
        bad.append("the colours are muted")
    elif attrs["colorfulness"] > 75:
        good.append("vividly coloured")
    if defects["noise"] > 0.5:
        bad.append("there is visible noise")
    q = ms["jpeg_quality"]
    if q == q and q < 50:  # not NaN
        bad.append("compression artefacts are likely visible")
    if ms["megapixels"] < 0.15:
        bad.append("the resolution is low")
    first = _join(good).capitalize() if good else ""
    if first and bad:
        return f"{first}, but {_join(bad)}."
    if first:
        return f"{first}."
    return _join(bad).capitalize() + "."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
