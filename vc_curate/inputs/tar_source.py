"""WebDataset .tar shards: each image member is an input; `.json`/`.txt` sidecars of the same key travel with it."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator


from vc_curate.carried import printable
from vc_curate.inputs.image_input import ImageInput
from vc_curate.inputs.paths import open_uri
from vc_curate.inputs.sniff import IMAGE_EXTENSIONS

SIDECARS = {".json": "json", ".txt": "txt"}


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


def iter_tar_images(uri: str) -> Iterator[ImageInput]:
    """Stream the shard once, grouping consecutive members by key (WebDataset's layout)."""
    pending: list[ImageInput] = []
    sidecars: dict[str, str] = {}
    key = None

    def flush() -> Iterator[ImageInput]:
        for item in pending:
            item.extra.update(sidecars)
            yield item
        pending.clear()
        sidecars.clear()

    try:
        with open_uri(uri) as f, tarfile.open(fileobj=f, mode="r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                member_key, ext = _split_key(member.name)
                if member_key != key:
                    yield from flush()
                    key = member_key
                if _is_image_member(member.name):
                    data = tar.extractfile(member).read()
                    pending.append(ImageInput(uri=printable(f"{uri}#{member.name}"), data=data))
                elif ext in SIDECARS:
                    sidecars[SIDECARS[ext]] = _sidecar_value(ext, tar.extractfile(member).read())
    except (OSError, tarfile.TarError, EOFError) as exc:
        yield from flush()
        yield ImageInput(uri=uri, error=f"cannot read tar shard: {exc}; members after this point were not read")
        return
    yield from flush()


def count_tar_images(uri: str) -> int:
    try:
        with open_uri(uri) as f, tarfile.open(fileobj=f, mode="r|*") as tar:
            return sum(1 for m in tar if m.isfile() and _is_image_member(m.name))
    except (OSError, tarfile.TarError, EOFError):
        return 1
