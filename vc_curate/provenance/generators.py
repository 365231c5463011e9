"""Which image generator wrote a piece of metadata: text chunks, EXIF UserComment/Software, stealth payloads.

Identification reads keys and fixed markers of each tool's format, never whole JSON documents, so a huge or
deeply nested value costs a bounded substring search.
"""

from __future__ import annotations

import re

from vc_curate.provenance.finding import GENERATOR, Finding, clean

WEBUI = "Stable Diffusion WebUI"
# Horizontal space only: `\s*` after a line start also crosses newlines, which made a text of newlines
# quadratic (a 1 MiB zTXt of newlines took an hour). Every pattern here is linear in the text it searches.
_WEBUI_LINE = re.compile(r"^[ \t]*Steps: \d+, (?:Sampler|Schedule type|CFG scale|Seed): ", re.MULTILINE)
_VERSION = re.compile(r"Version: ([^,\n]{1,40})")
_MIDJOURNEY_JOB = re.compile(r"Job ID: [0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)
_JSON_LOOKAHEAD = 65536  # characters of a JSON value searched for a tool's marker keys
WINDOW = 1 << 20  # characters searched at each end of a longer text: parsing is capped, not just linear

# Names of generators as they appear in EXIF Software, XMP CreatorTool or a PNG `Software` chunk.
_KNOWN = [
    (re.compile(p, re.IGNORECASE), name) for p, name in [
        (r"\bnovel ?ai\b", "NovelAI"),
        (r"\bmidjourney\b", "Midjourney"),
        (r"\bdall\W{0,3}e\b", "DALL-E"),
        (r"\bfirefly\b", "Adobe Firefly"),
        (r"\bstable[\s\-]?diffusion\b|\bsdxl\b", "Stable Diffusion"),
        (r"\bautomatic1111\b|\bsd[\s\-]?webui\b", WEBUI),
        (r"\bcomfy ?ui\b", "ComfyUI"),
        (r"\binvoke ?ai\b", "InvokeAI"),
        (r"\bfooocus\b", "Fooocus"),
        (r"\bdraw things\b", "Draw Things"),
        (r"\bdiffusionbee\b", "DiffusionBee"),
        (r"\bideogram\b", "Ideogram"),
        (r"\bleonardo\.ai\b", "Leonardo.Ai"),
        (r"\bimagen\b", "Imagen"),
        (r"\bswarm ?ui\b", "SwarmUI"),
    ]
]


def known_generator(software: str) -> str | None:
    """The generator named by a Software/CreatorTool value, or None for anything else (cameras, editors)."""
    head = software[:200]
    for pattern, name in _KNOWN:
        if pattern.search(head):
            return name
    return None


def window(text: str) -> str:
    """The text, or its first and last WINDOW characters when longer (a generator's marks sit at the ends)."""
    return text if len(text) <= 2 * WINDOW else text[:WINDOW] + "\n" + text[-WINDOW:]


def parameters_tool(text: str) -> str | None:
    """The tool that wrote an A1111-style `parameters` text (or its JSON variants), None if it is not one."""
    text = window(text)
    head = text.lstrip()[:_JSON_LOOKAHEAD]
    if head.startswith("{"):
        if "sui_image_params" in head:
            return "SwarmUI"
        if "fooocus" in head.lower():
            return "Fooocus"
        return None
    if not _WEBUI_LINE.search(text):
        return None
    version = _VERSION.search(text[-4096:])
    tag = version.group(1).strip() if version else ""
    if "fooocus" in tag.lower():
        return "Fooocus"
    if re.match(r"f\d", tag):
        return "Stable Diffusion WebUI Forge"
    if "App: SD.Next" in text[-4096:]:
        return "SD.Next"
    return WEBUI


def text_tool(key: str, value: str) -> str | None:
    """The tool that wrote one text entry (a PNG chunk, a JPEG comment, a stealth payload's field)."""
    k = key.lower()
    value = window(value)
    head = value.lstrip()[:_JSON_LOOKAHEAD]
    if k == "parameters":
        return parameters_tool(value)
    if k == "prompt" and head.startswith("{") and '"class_type"' in head:
        return "ComfyUI"
    if k == "workflow" and head.startswith("{") and '"nodes"' in head:
        return "ComfyUI"
    if k in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"):
        return "InvokeAI"
    if k == "fooocus_scheme":
        return "Fooocus"
    if k == "use_stable_diffusion_model":
        return "Easy Diffusion"
    if k == "software":
        return known_generator(value)
    if k == "source" and "novelai" in head.lower():
        return "NovelAI"
    if k == "description" and _MIDJOURNEY_JOB.search(value[-512:]):
        return "Midjourney"
    if k in ("comment", "usercomment", "description") and _WEBUI_LINE.search(value):
        return parameters_tool(value)
    return None


def text_findings(source: str, texts: dict[str, str]) -> list[Finding]:
    """One item per tool, naming the keys that identify it, e.g. `png:prompt,workflow (ComfyUI)`."""
    keys_by_tool: dict[str, list[str]] = {}
    for key, value in texts.items():
        tool = text_tool(key, value)
        if tool:
            keys_by_tool.setdefault(tool, []).append(clean(key, 40))
        elif key.lower() == "parameters":
            keys_by_tool.setdefault("", []).append("parameters")
    findings = []
    for tool, keys in keys_by_tool.items():
        if tool:
            findings.append(Finding(f"{source}:{','.join(keys)} ({clean(tool)})", GENERATOR))
        else:  # a `parameters` text in no known tool's format: said, not counted
            findings.append(Finding(f"{source}:parameters (unrecognised format)"))
    return findings
