"""`fiftyone plugins download` installs the plugin from an archive of the repository (served locally here)."""

import functools
import http.server
import threading
import zipfile
from pathlib import Path

import fiftyone as fo
import fiftyone.plugins as fop

REPO = Path(__file__).resolve().parents[2]


def test_download_plugin_from_a_repository_archive(tmp_path, monkeypatch):
    archive = tmp_path / "serve" / "vc-curate-main.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:  # the layout of GitHub's archive of the repository
        for path in (REPO / "fiftyone_plugin").glob("*.*"):
            if path.suffix in (".py", ".yml"):
                zf.write(path, f"vc-curate-main/fiftyone_plugin/{path.name}")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(archive.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(fo.config, "plugins_dir", str(tmp_path / "plugins"))
    try:
        installed = fop.download_plugin(f"http://127.0.0.1:{server.server_port}/{archive.name}")
    finally:
        server.shutdown()
    plugin_dir = Path(installed["@vc-curate/visualcritic"])
    assert (plugin_dir / "fiftyone.yml").is_file() and (plugin_dir / "score_samples.py").is_file()
    assert fop.get_plugin("@vc-curate/visualcritic").operators == ["score_samples", "tag_samples", "save_best_view"]
