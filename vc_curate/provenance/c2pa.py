"""C2PA evidence through `c2pa-python` (extra `c2pa`): validation state, claim generator, digital source type.

Only embedded manifests are read: remote manifests and OCSP are never fetched. Signers are trusted only
through the PEM trust anchors the user supplies. Without `c2pa-python` a manifest is reported as present
and not validated.
"""

from __future__ import annotations

import functools
import io
import threading

from vc_curate.provenance.finding import CAPTURE_TRUSTED, CAPTURE_UNTRUSTED, Finding, clean
from vc_curate.provenance.xmp import AI_TYPES, CAPTURE_TYPES, source_type

try:
    import c2pa as _c2pa
except ImportError:  # the `c2pa` extra is not installed
    _c2pa = None

_MIME = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
         "TIFF": "image/tiff", "AVIF": "image/avif", "HEIF": "image/heif", "GIF": "image/gif"}
_UNTRUSTED = "signingCredential.untrusted"
_SOURCE_ACTIONS = ("c2pa.created", "c2pa.opened")
_local = threading.local()


def check_trust_anchors(path: str) -> str:
    """The PEM text of a trust-anchors file; ValueError with a one-line message when it is not usable."""
    try:
        with open(path, encoding="ascii") as f:
            pem = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--c2pa-trust-anchors {path}: cannot read it ({exc})") from None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"--c2pa-trust-anchors {path}: no PEM certificate in it "
                         "(expected -----BEGIN CERTIFICATE----- blocks)")
    return pem


def c2pa_findings(data: bytes, fmt: str | None, trust_anchors: str | None) -> list[Finding]:
    """Evidence from the embedded manifest store that `data` is known to contain."""
    if _c2pa is None:
        return [Finding("c2pa(not validated):present")]
    problems: list[Finding] = []
    try:
        context = _context(trust_anchors)
    except ValueError as exc:  # unusable anchors: validate without them and say so
        problems.append(Finding(f"c2pa:trust anchors not loaded ({clean(exc, 80)})"))
        context = _context(None)
    try:
        with _c2pa.Reader(_MIME.get(fmt or ""), io.BytesIO(data), context=context) as reader:
            state = reader.get_validation_state()
            results = reader.get_validation_results() or {}
            manifest = reader.get_active_manifest() or {}
    except Exception as exc:  # pre-release, unsupported or broken manifests are still reported as present
        return problems + [Finding(f"c2pa(unreadable):{clean(_reason(exc), 80)}")]
    return problems + [_manifest_finding(state, results, manifest)]


def _manifest_finding(state: str | None, results: dict, manifest: dict) -> Finding:
    generator = _generator(manifest)
    suffix = f" ({generator})" if generator else ""
    if state not in ("Valid", "Trusted"):
        failures = [f.get("code", "?") for f in (results.get("activeManifest") or {}).get("failure", [])
                    if isinstance(f, dict) and f.get("code") != _UNTRUSTED]
        return Finding(f"c2pa(invalid):{clean(','.join(failures[:2]) or 'failed validation', 80)}{suffix}")
    trusted = state == "Trusted"
    term = _source_type(manifest)
    label = f"c2pa(valid,{'trusted' if trusted else 'untrusted'}):{term or 'no source type'}{suffix}"
    if term in AI_TYPES:
        return Finding(label, AI_TYPES[term])
    if term in CAPTURE_TYPES:
        return Finding(label, CAPTURE_TRUSTED if trusted else CAPTURE_UNTRUSTED)
    return Finding(label)


def _source_type(manifest: dict) -> str | None:
    """The created/opened action's source type; AI content added by a later action makes it a composite."""
    base, added_ai = None, False
    for assertion in manifest.get("assertions") or []:
        if not (isinstance(assertion, dict) and str(assertion.get("label", "")).startswith("c2pa.actions")):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if not isinstance(action, dict) or not isinstance(action.get("digitalSourceType"), str):
                continue
            term = source_type(action["digitalSourceType"])
            if action.get("action") in _SOURCE_ACTIONS and base is None:
                base = term
            elif term in AI_TYPES:
                added_ai = True
    if added_ai and base != "trainedAlgorithmicMedia":
        return "compositeWithTrainedAlgorithmicMedia"
    return base


def _generator(manifest: dict) -> str:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("name"):
        return clean(" ".join(str(info[0][k]) for k in ("name", "version") if info[0].get(k)), 60)
    return clean(manifest.get("claim_generator") or "", 60)


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.split(":", 1)[0] if "remote" not in text.lower() else "remote manifest, not fetched"


def _context(trust_anchors: str | None):
    """A reading context per thread and anchors file: no network, trust only in the user's anchors."""
    contexts = _local.__dict__.setdefault("contexts", {})
    if trust_anchors not in contexts:
        contexts[trust_anchors] = _c2pa.Context(_c2pa.Settings.from_dict(_settings(trust_anchors)))
    return contexts[trust_anchors]


@functools.lru_cache(maxsize=8)
def _settings_pem(path: str) -> str:
    return check_trust_anchors(path)


def _settings(trust_anchors: str | None) -> dict:
    settings: dict = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}}
    if trust_anchors:
        settings["trust"] = {"trust_anchors": _settings_pem(trust_anchors)}
    return settings
