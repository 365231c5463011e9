"""Screenshots of the FiftyOne App for docs/fiftyone.md, taken with headless Chromium against a real session.

    python scripts/fiftyone_screenshots.py [--out docs/images]

Scores a small dataset of real images on a private mongod, runs `fo.launch_app(..., remote=True)`, and drives
Chromium through the DevTools protocol over `--remote-debugging-pipe` (no extra package): the grid with the
vc_* fields in the sidebar, then the `score_samples` form opened from the operator browser.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import importlib.util
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Chromium:
    """Headless Chromium spoken to with DevTools messages over a pipe (fd 3 in, fd 4 out)."""

    def __init__(self, width: int = 1600, height: int = 1200):
        self._to_child_r, self._to_child_w = os.pipe()
        self._from_child_r, self._from_child_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="vc-chromium-")
        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "--remote-debugging-pipe"],
            close_fds=False, preexec_fn=self._dup_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(self._to_child_r)
        os.close(self._from_child_w)
        self._ids = itertools.count(1)
        self._buffer = b""
        self.session = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")

    def _dup_fds(self) -> None:  # in the child: its ends of the pipes become fds 3 and 4
        high_r = fcntl.fcntl(self._to_child_r, fcntl.F_DUPFD, 100)
        high_w = fcntl.fcntl(self._from_child_w, fcntl.F_DUPFD, 100)
        os.dup2(high_r, 3)
        os.dup2(high_w, 4)

    def call(self, method: str, **params):
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self._to_child_w, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_child_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def key(self, text: str) -> None:
        for ch in text:
            self.call("Input.dispatchKeyEvent", type="keyDown", text=ch, key=ch)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=ch)

    def press(self, key: str, code: str, keycode: int) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code, windowsVirtualKeyCode=keycode)

    def click_text(self, text: str) -> None:
        """Click the innermost element whose text is exactly `text` (e.g. a dismiss button), if any."""
        self.call("Runtime.evaluate", expression=(
            "[...document.querySelectorAll('*')].filter(e => e.children.length === 0 && "
            f"e.textContent.trim() === {json.dumps(text)}).forEach(e => e.click())"))

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.profile, ignore_errors=True)


def demo_dataset():
    import fiftyone as fo

    from vc_curate.fiftyone import score_collection, tag_matching

    root = Path(tempfile.mkdtemp(prefix="vc-demo-"))
    # the repository's own example images (its truncated one shows an error), so screenshots carry no
    # third-party pictures
    paths = [str(p) for p in sorted((REPO / "examples" / "images").iterdir())]
    (root / "broken.jpg").write_bytes(b"not an image")
    ds = fo.Dataset("vc-curate-demo", overwrite=True)
    ds.add_samples([fo.Sample(filepath=p) for p in paths + [str(root / "broken.jpg")]])
    score_collection(ds)
    tag_matching(ds, 'quality < 40 or authenticity == "ai-generated"')
    return ds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    parser.add_argument("--wait", type=float, default=25.0, help="seconds for the App to load")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    spec = importlib.util.spec_from_file_location("fiftyone_db", REPO / "scripts" / "fiftyone_db.py")
    fiftyone_db = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fiftyone_db)
    with contextlib.ExitStack() as stack:
        if "FIFTYONE_DATABASE_URI" not in os.environ:
            os.environ.update(stack.enter_context(fiftyone_db.private_mongod()))
        os.environ["FIFTYONE_PLUGINS_DIR"] = str(REPO)
        import fiftyone as fo

        ds = demo_dataset()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        session = fo.launch_app(ds, remote=True, address="127.0.0.1", port=port)
        stack.callback(session.close)
        browser = Chromium()
        stack.callback(browser.close)
        browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/datasets/{ds.name}")
        time.sleep(args.wait)
        browser.click_text("Dismiss")  # the App's promotional pop-up
        time.sleep(2)
        browser.screenshot(args.out / "fiftyone-sidebar.png")
        browser.key("`")  # the operator browser
        time.sleep(3)
        browser.key("VisualCritic: score")
        time.sleep(2)
        browser.press("Enter", "Enter", 13)
        time.sleep(args.wait / 2)
        browser.screenshot(args.out / "fiftyone-score-samples-form.png")
        print(f"wrote {args.out}/fiftyone-sidebar.png and fiftyone-score-samples-form.png")


if __name__ == "__main__":
    main()
