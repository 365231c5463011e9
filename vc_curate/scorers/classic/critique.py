"""The critique and the `defects` field, built from one list: the defects present, most costly first.

The critique names those defects, then describes the image from its attribute amounts; it praises only what
no defect on the list contradicts.
"""

from __future__ import annotations

PRESENT = 0.5  # a defect's amount (0..1) from which it is on the list

PHRASES = {
    "blur": "blur",
    "motion-blur": "motion blur",
    "noise": "visible noise",
    "underexposure": "underexposure",
    "overexposure": "overexposure",
    "clipped-highlights": "clipped highlights",
    "glare": "a veil of glare",
    "low-contrast": "low contrast",
    "compression": "compression artefacts",
    "low-resolution": "low resolution",
}
# what each praise would contradict
_EXPOSURE = {"underexposure", "overexposure", "clipped-highlights", "glare"}
_DETAIL = {"blur", "motion-blur", "low-resolution", "compression", "noise"}


def ranked_defects(amounts: dict[str, float], costs: dict[str, float]) -> list[str]:
    """Defects present (amount >= PRESENT), most costly first (cost: quality points at full strength)."""
    present = [d for d, a in amounts.items() if a >= PRESENT]
    return sorted(present, key=lambda d: -costs[d] * amounts[d])


def band(quality: float) -> str:
    """The critique's word for a quality (0..100), on the scale people scored livec-dev on."""
    for floor, word in ((75, "Excellent"), (62, "Good"), (48, "Fair"), (35, "Poor")):
        if quality >= floor:
            return word
    return "Bad"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _describe(attrs: dict[str, float], found: set[str]) -> str:
    b, c, k = attrs["brightness"], attrs["colorfulness"], attrs["contrast"]
    tone = "very dark" if b < 15 else "dim" if b < 35 else "bright" if b > 70 else "mid-toned"
    colour = ("near-monochrome" if c < 8 else "muted" if c < 25 else "vivid" if c > 60
              else "naturally coloured")
    contrast = "flat" if k < 35 else "punchy" if k > 75 else "moderate"
    praise = []
    if not found & _DETAIL and attrs["sharpness"] >= 65:
        praise.append("fine detail is crisp")
    if not found & _EXPOSURE and 35 <= b <= 70:
        praise.append("the exposure is balanced")
    if not found & _DETAIL and attrs["noisiness"] < 25:
        praise.append("it is clean of noise")
    tail = f"; {_join(praise)}" if praise else ""
    return f"A {tone}, {colour} picture with {contrast} contrast{tail}."


def compose_critique(quality: float, attrs: dict[str, float], defects: list[str]) -> str:
    """`attrs`: the five amounts (0..100); `defects`: from `ranked_defects`, most costly first."""
    if defects:
        head = f"{band(quality)} quality, held back by {_join([PHRASES[d] for d in defects])}."
    else:
        head = f"{band(quality)} quality with no clear defect."
    return f"{head} {_describe(attrs, set(defects))}"
