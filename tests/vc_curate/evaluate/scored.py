"""Real scores for evaluate and report tests: small generated images scored by the classic scorer."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image, ImageFilter

import vc_curate
from tests.conftest import REPO, encode, scene

SD_WEBUI_PNG = REPO.parent / "shared" / "fixtures" / "provenance" / "sd_webui_parameters.png"


def camera_jpeg(seed: int) -> bytes:
    """A JPEG with camera EXIF (make and model): provenance says photographic."""
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS R5"
    return encode(scene((80, 60), seed=seed), "JPEG", quality=90, exif=exif.tobytes())


def make_images(folder: Path, count: int = 12) -> list[Path]:
    """`count` scenes of rising blur and falling brightness, so their scores spread."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        image = scene((96, 64), seed=i).filter(ImageFilter.GaussianBlur(i * 0.4))
        image = image.point(lambda v, f=1.0 - i * 0.05: int(v * f))
        path = folder / f"img{i:02d}.png"
        path.write_bytes(encode(image))
        paths.append(path)
    return paths


def score_to_parquet(paths: list, out: Path) -> pa.Table:
    """Score with the classic scorer and write the records as a Parquet file, as `vc-curate score` does."""
    table = vc_curate.records_to_table(vc_curate.load_scorer("classic").score([str(p) for p in paths]))
    pq.write_table(table, out)
    return table
