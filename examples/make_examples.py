"""Generate the small example images the quick start scores (deterministic; the outputs are committed).

A procedurally drawn scene, then copies with one defect each, a PNG carrying generator metadata, a JPEG with
camera EXIF, and a truncated file, so the report shows every kind of record.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, PngImagePlugin

OUT = Path(__file__).with_name("images")
W, H = 480, 360


def landscape(seed: int = 7) -> Image.Image:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    sky = np.stack([0.35 + 0.3 * y / H, 0.55 + 0.25 * y / H, 0.95 - 0.2 * y / H], -1)
    img = sky.copy()
    ridge = H * 0.55 + 25 * np.sin(x / 53.0) + 12 * np.sin(x / 17.0 + 1.3)
    hills = y > ridge
    img[hills] = np.stack([0.18 + 0.1 * np.sin(x / 9.0), 0.45 + 0.1 * np.cos(y / 7.0), 0.15 + 0 * x], -1)[hills]
    img += rng.normal(0, 0.012, img.shape).astype(np.float32)
    im = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8))
    d = ImageDraw.Draw(im)
    d.ellipse((360, 40, 420, 100), fill=(255, 226, 120))
    for i in range(9):
        bx = 30 + 48 * i
        d.rectangle((bx, 250 - 8 * (i % 4), bx + 34, 330), fill=(120 + 12 * i, 70 + 9 * i, 60), outline=(30, 20, 20))
        for wy in range(262 - 8 * (i % 4), 320, 14):
            d.rectangle((bx + 6, wy, bx + 14, wy + 7), fill=(250, 240, 180))
            d.rectangle((bx + 20, wy, bx + 28, wy + 7), fill=(40, 50, 70))
    return im


def jpeg(im: Image.Image, quality: int = 92, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    base = landscape()
    arr = np.asarray(base).astype(np.float32)
    rng = np.random.default_rng(1)
    camera = Image.Exif()
    camera[0x010F], camera[0x0110] = "Canon", "Canon EOS R5"
    files = {
        "sharp.jpg": jpeg(base, exif=camera.tobytes()),
        "blurry.jpg": jpeg(base.filter(ImageFilter.GaussianBlur(4))),
        "dark.jpg": jpeg(Image.fromarray((arr * 0.18).astype(np.uint8))),
        "overexposed.jpg": jpeg(Image.fromarray(np.clip(arr * 2.2, 0, 255).astype(np.uint8))),
        "noisy.jpg": jpeg(Image.fromarray(np.clip(arr + rng.normal(0, 28, arr.shape), 0, 255).astype(np.uint8))),
        "compressed.jpg": jpeg(base, quality=6),
        "washed_out.jpg": jpeg(Image.fromarray((128 + (arr - 128) * 0.3).astype(np.uint8))),
    }
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a village below green hills at dusk\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
                                "Seed: 1234, Size: 480x360, Model: v1-5-pruned-emaonly")
    buf = io.BytesIO()
    base.save(buf, "PNG", pnginfo=info)
    files["generated.png"] = buf.getvalue()
    files["truncated.jpg"] = files["sharp.jpg"][:4000]
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(files)} images to {OUT}")


if __name__ == "__main__":
    main()
