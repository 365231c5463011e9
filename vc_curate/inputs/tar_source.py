"""WebDataset .tar shards: each image member is an input; `.json`/`.txt` sidecars of the same key travel with it."""

from __future__ import annotations

import json
import os
import tarfile
from collections import OrderedDict
from collections.abc import Iterator


from vc_curate.carried import printable
from vc_curate.inputs.image_input import ImageInput
from vc_curate.inputs.paths import DEFAULT_MAX_BYTES, open_uri, too_large
from vc_curate.inputs.sniff import IMAGE_EXTENSIONS

SIDECARS = {".json": "json", ".txt": "txt"}
MAX_SIDECAR_BYTES = 16 << 20  # a larger sidecar is not carried (it would ride in every record of its key)
LINK_TARGET_BYTES = 64 << 20  # bytes of recent image members kept for hard links that point back to them
GROUP_BYTES = 64 << 20  # image bytes of one key held for its sidecars; past it they go on without later sidecars


def _split_key(name: str) -> tuple[str, str]:
    """WebDataset convention: the key is everything before the first dot of the basename."""
    folder, base = os.path.split(name)
    stem, dot, ext = base.partition(".")
    return os.path.join(folder, stem), ("." + ext.lower()) if dot else ""


def _is_image_member(name: str) -> bool:
    return _split_key(name)[1].rsplit(".", 1)[-1] in {e.lstrip(".") for e in IMAGE_EXTENSIONS}


def _sidecar_value(ext: str, data: bytes) -> str:
    """The sidecar as text: JSON normalised (keys sorted), or as written when it cannot be parsed (too deep)."""
    text = data.decode("utf-8", errors="replace")
    if ext == ".json":
        try:
            return printable(json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True))
        except (ValueError, RecursionError):
            return text
    return text


def iter_tar_images(uri: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ImageInput]:
    """Stream the shard once, grouping consecutive members by key (WebDataset's layout).

    A member over `max_bytes` is an error record, never read. A hard link gets its target's bytes when the
    target came earlier in the stream and is among the last LINK_TARGET_BYTES read; otherwise an error.
    """
    pending: list[ImageInput] = []
    sidecars: dict[str, str] = {}
    recent: OrderedDict[str, bytes] = OrderedDict()  # image members by name, for hard links to them
    key = None

    def flush() -> Iterator[ImageInput]:
        for item in pending:
            item.extra.update(sidecars)
            yield item
        pending.clear()
        sidecars.clear()

    def remember(name: str, data: bytes) -> None:
        recent[name] = data
        while sum(map(len, recent.values())) > min(max_bytes, LINK_TARGET_BYTES) and len(recent) > 1:
            recent.popitem(last=False)

    try:
        with open_uri(uri) as f, tarfile.open(fileobj=f, mode="r|*") as tar:
            for member in tar:
                if not (member.isfile() or member.islnk()):
                    continue
                member_key, ext = _split_key(member.name)
                if member_key != key:
                    yield from flush()
                    key = member_key
                item_uri = printable(f"{uri}#{member.name}")
                if _is_image_member(member.name):
                    if member.islnk():
                        data = recent.get(member.linkname)
                        error = None if data is not None else (
                            f"read failed: hard link to {printable(member.linkname)!r}, which is not an earlier "
                            "image member of the shard within the bytes kept for links")
                        pending.append(ImageInput(uri=item_uri, data=data, error=error))
                    elif member.size > max_bytes:
                        error = f"read failed: {too_large(member.size, max_bytes)}"
                        pending.append(ImageInput(uri=item_uri, error=error))
                    else:
                        data = tar.extractfile(member).read()
                        remember(member.name, data)
                        if sum(len(item.data or b"") for item in pending) + len(data) > GROUP_BYTES:
                            yield from flush()  # a key with hundreds of images must not pile up in memory
                        pending.append(ImageInput(uri=item_uri, data=data))
                elif ext in SIDECARS and member.isfile() and member.size <= min(max_bytes, MAX_SIDECAR_BYTES):
                    sidecars[SIDECARS[ext]] = _sidecar_value(ext, tar.extractfile(member).read())
    except (OSError, tarfile.TarError, EOFError) as exc:
        yield from flush()
        yield ImageInput(uri=uri, error=f"cannot read tar shard: {exc}; members after this point were not read")
        return
    yield from flush()
