"""Screenshots of `vc-curate report` in headless Chromium, to look at the page as a reader does.

    python scripts/report_screenshot.py [SCORES.parquet] [--out docs/images]

Without a scores table it scores the repository's example images, a byte-for-byte copy of one (for the
duplicates section) and a file that is not an image (for the errors section), with the classic scorer.
Writes report-top.png (summary and histograms) and report-galleries.png (the rest of the page) into --out, driving Chromium as scripts/fiftyone_screenshots.py does (needs `chromium` on PATH).
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDTH = 1400


def demo_scores(folder: Path) -> Path:
    images = folder / "images"
    shutil.copytree(REPO / "examples" / "images", images)
    shutil.copy(images / "sharp.jpg", images / "sharp-copy.jpg")
    (images / "notes.jpg").write_bytes(b"a text file named like a JPEG")
    scores = folder / "scores.parquet"
    subprocess.run([sys.executable, "-m", "vc_curate", "score", str(images), "--out", str(scores)], check=True)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scores", nargs="?", type=Path, help="a scores table (default: score the examples)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.spec_from_file_location("fiftyone_screenshots", REPO / "scripts" / "fiftyone_screenshots.py")
    screenshots = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshots)

    from vc_curate.report import write_report

    with tempfile.TemporaryDirectory(prefix="vc-report-") as tmp:
        scores = args.scores or demo_scores(Path(tmp))
        page = Path(tmp) / "report.html"
        write_report(str(scores), str(page), top=4)
        browser = screenshots.Chromium(width=WIDTH, height=1000)
        try:
            browser.call("Page.navigate", url=page.resolve().as_uri())
            time.sleep(3)
            height = int(browser.call("Page.getLayoutMetrics")["cssContentSize"]["height"])
            split = int(browser.call("Runtime.evaluate", returnByValue=True, expression=(
                "document.querySelectorAll('section')[1].getBoundingClientRect().top + window.scrollY"
            ))["result"]["value"])
            for name, top, bottom in (("report-top.png", 0, split), ("report-galleries.png", split, height)):
                shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                    clip={"x": 0, "y": top, "width": WIDTH, "height": bottom - top, "scale": 1})
                (args.out / name).write_bytes(base64.b64decode(shot["data"]))
        finally:
            browser.close()
    print(f"wrote {args.out}/report-top.png and {args.out}/report-galleries.png")


if __name__ == "__main__":
    main()
