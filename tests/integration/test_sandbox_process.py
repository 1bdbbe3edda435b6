"""The sandbox as its own process: started, asked and stopped the way demo mode does it."""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.idcard.text_block import parse_text_block
from kiosk import demo
from kiosk.platform.client import PlatformClient, PlatformUnavailable
from sandbox import population

TERMINAL = "XT-TEST-001"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "terminal.secret"
    path.write_text(secrets.token_bytes(32).hex(), encoding="ascii")
    return path


def test_started_process_answers_takes_faults_and_stops(tmp_path: Path, secret_file: Path) -> None:
    sandbox = demo.start_sandbox_process(tmp_path, TERMINAL, secret_file, tmp_path / "sandbox.log")
    try:
        assert sandbox.process.poll() is None
        secret = bytes.fromhex(secret_file.read_text(encoding="ascii"))
        with PlatformClient(sandbox.url, TERMINAL, secret, retries=0) as client:
            token = client.open_resident_session(population.by_key("r01").card())
            sandbox.inject_fault("http_503", count=1, path="/api/v1/reports/person")
            with pytest.raises(PlatformUnavailable):
                client.fetch_report(token)
            assert client.fetch_report(token).subject_name == population.by_key("r01").name
        assert sandbox.state()["sessions"] == 1
    finally:
        sandbox.stop()
    assert sandbox.process.returncode == 0
    assert "stopping: stop signal" in (tmp_path / "sandbox.log").read_text("utf-8")


def test_demo_cards_come_from_the_files_the_sandbox_wrote(
    tmp_path: Path, secret_file: Path
) -> None:
    cards_dir = tmp_path / "cards"
    sandbox = demo.start_sandbox_process(
        tmp_path, TERMINAL, secret_file, tmp_path / "sandbox.log", demo_cards_dir=cards_dir
    )
    sandbox.stop()
    cards, default = demo.read_demo_cards(cards_dir)
    by_key = {card.key: card for card in cards}
    assert default == population.richest_resident().key and default in by_key
    for resident, _ in population.demo_residents():
        assert parse_text_block(by_key[resident.key].card.text_block) == resident.card()
    assert by_key["bad-check"].card.text_block == population.bad_checksum_block()
    assert by_key["garbled"].card.text_block == population.garbled_block()


def test_without_the_checkout_demo_mode_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret_file: Path
) -> None:
    monkeypatch.setattr(demo, "CHECKOUT", tmp_path)  # as in an installed wheel: no sandbox/
    with pytest.raises(demo.SandboxError, match="sandbox/ is not shipped to terminals"):
        demo.start_sandbox_process(tmp_path, TERMINAL, secret_file, tmp_path / "sandbox.log")


def test_the_sandbox_command_still_serves_alone(secret_file: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "ui.cli",
        "sandbox",
        "--port=0",
        f"--secret-file={secret_file}",
    ]
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    ) as process:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:[0-9]+)", line)
        assert match, line
        secret = bytes.fromhex(secret_file.read_text(encoding="ascii"))
        with PlatformClient(match.group(1), "XT-DEMO-001", secret) as client:
            assert client.ping()
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
