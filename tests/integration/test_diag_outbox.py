"""The technician sees the outbox: depth, dead letters and their reasons (exit 1 when any)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox
from ui.cli import main

CONFIG = """
[terminal]
id = "XT-TEST-001"
secret_file = "{root}/secret"
state_dir = "{root}/state"
[platform]
base_url = "http://127.0.0.1:9"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(CONFIG.format(root=tmp_path), encoding="utf-8")
    return path


def test_healthy_outbox_exits_zero(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = Outbox(config.parent / "state" / "outbox.sqlite3")
    outbox.enqueue("query_record", {"outcome": "shown"})
    outbox.close()
    assert main(["diag", "outbox", "--config", str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["depth"] == 1 and report["dead_letter_items"] == []


def test_dead_letters_are_listed_with_their_reason(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = Outbox(config.parent / "state" / "outbox.sqlite3")
    key = outbox.enqueue("print_record", {"report_no": "XT1"})
    outbox.move_to_dead_letter(key, "REPORT_NOT_FOUND")
    outbox.close()
    assert main(["diag", "outbox", "--config", str(config)]) == 1
    assert f"dead letter {key} (print_record): REPORT_NOT_FOUND" in capsys.readouterr().out
