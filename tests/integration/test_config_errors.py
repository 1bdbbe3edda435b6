"""A bad configuration stops every command that reads it with one line naming the key and
exit code 2, never a traceback: the commands run as a technician runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
GOOD = """
[terminal]
id = "XT-CFG-001"
secret_file = "{root}/secret"
state_dir = "{root}/state"
[platform]
base_url = "http://127.0.0.1:9"
"""
COMMANDS = [
    ["run", "--config"],
    ["diag", "read-card", "--timeout", "0.1", "--config"],
    ["diag", "outbox", "--config"],
]
BAD = [
    (
        '[card_reader]\ndriver = "pcsc"\n[card_reader.options]\nretry_s = -1.0\n',
        "configuration error: card_reader.options.retry_s: must be more than 0, got -1.0",
    ),
    (
        '[receipt_printer]\ndriver = "simulated"\n[receipt_printer.options]\n'
        'has_chinese_font = "false"\n',
        "configuration error: receipt_printer.options.has_chinese_font: expected bool, got str",
    ),
    (
        '[card_reader]\ndriver = "sdtapi"\n[card_reader.options]\nlibrary = "/x.so"\nbaud = 9600\n',
        "configuration error: card_reader.options: unknown keys ['baud']",
    ),
    (
        '[document_printer]\ndriver = "cups"\n[document_printer.options]\nqueue = "a4"\n'
        'cancel_wait_s = "3"\n',
        "configuration error: document_printer.options.cancel_wait_s: expected float, got str",
    ),
    (
        "[session]\nprinting_timeout_s = -90.0\n",
        "configuration error: session.printing_timeout_s: expected float > 0.0",
    ),
]


def run_cli(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


CASES = [(command, *BAD[0]) for command in COMMANDS] + [(COMMANDS[-1], *bad) for bad in BAD[1:]]
"""Every command with one bad option; every bad option with the quickest command."""


@pytest.mark.parametrize(
    ("command", "table", "line"),
    CASES,
    ids=[f"{' '.join(c[:2])}: {line.split(': ')[1]}" for c, _, line in CASES],
)
def test_a_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], table: str, line: str
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.format(root=tmp_path) + table, encoding="utf-8")

    done = run_cli([*command, str(config)])

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [line]
    assert done.stdout == ""


def test_read_card_reader_override_that_is_no_pattern_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        GOOD.format(root=tmp_path) + '[card_reader]\ndriver = "pcsc"\n', encoding="utf-8"
    )

    reader = 'pcsc:reader = "Virtual (PCD"'
    done = run_cli(["diag", "read-card", "--reader", reader, "--config", str(config)])

    assert done.returncode == 2
    assert done.stderr.startswith(
        "configuration error: card_reader.options.reader: not a regular expression"
    )
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_plain_http_off_loopback_is_exit_2(tmp_path: Path, command: list[str]) -> None:
    config = tmp_path / "kiosk.toml"
    good = GOOD.format(root=tmp_path)
    config.write_text(good.replace("127.0.0.1:9", "credit.xintai.example"), encoding="utf-8")

    done = run_cli([*command, str(config)])

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "configuration error: platform.base_url: must be https:// "
        "(plain http:// is allowed to loopback only)"
    ]


def test_a_secret_file_others_may_read_stops_the_kiosk(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.format(root=tmp_path), encoding="utf-8")
    secret = tmp_path / "secret"
    secret.write_text("ab" * 32, encoding="ascii")
    secret.chmod(0o644)

    done = run_cli(["run", "--config", str(config)])

    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"configuration error: terminal.secret_file: {secret}: mode 0644 lets others in; "
        "chown root:<kiosk group> and chmod 0640 (or 0600) it"
    ]
    assert "ab" * 32 not in done.stderr
