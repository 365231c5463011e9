"""`vc-curate train` through the real entry point, and its one-line usage errors."""

from __future__ import annotations

import json
import re

import pytest

from vc_curate.cli import main as cli


@pytest.mark.slow
def test_train_writes_an_adapter_and_metrics(checkpoints, labels_csv, tmp_path, capsys):
    out = tmp_path / "adapter"
    code = cli.main(["train", "--stage", "multifunctional", "--model", checkpoints["llava"], "--data", labels_csv,
                     "--out", str(out), "--max-steps", "3", "--batch-size", "2", "--lora-rank", "4", "--lr", "1e-3",
                     "--device", "cpu", "--log-every", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "trained multifunctional steps 1..3" in captured.out and f"--adapter {out}" in captured.out
    assert (out / "adapter_model.safetensors").is_file() and (out / "adapter_config.json").is_file()
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines] == [1, 2, 3] and all("loss" in line for line in lines)
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 4 and config["lora_alpha"] == 8


@pytest.mark.parametrize("extra, message", [
    (["--group-by", "generator"], "--group-by generator: .* has no such column"),
    (["--model", "/nonexistent/model"], "model folder /nonexistent/model does not exist"),
    (["--resume", "--overwrite"], "--resume and --overwrite contradict each other"),
])
def test_usage_errors_are_one_line_and_exit_2(labels_csv, tmp_path, capsys, extra, message):
    args = ["train", "--stage", "relativity", "--model", "/nonexistent/model", "--data", labels_csv,
            "--out", str(tmp_path / "out"), "--device", "cpu"]
    assert cli.main(args + extra) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("vc-curate train: error:")
    assert re.search(message, err), err


@pytest.mark.parametrize("extra", [["--stage", "judging"], ["--max-steps", "0"], ["--lr", "-1"]])
def test_bad_flags_are_argparse_errors(labels_csv, tmp_path, capsys, extra):
    base = {"--stage": "relativity", "--model": "m", "--data": labels_csv, "--out": str(tmp_path)}
    base[extra[0]] = extra[1]
    with pytest.raises(SystemExit) as info:
        cli.main(["train", *[x for kv in base.items() for x in kv]])
    assert info.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
