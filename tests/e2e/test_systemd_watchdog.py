"""The kiosk under a real systemd notify socket: READY=1 once the devices are checked,
WATCHDOG=1 while every loop goes round, none once one is wedged, STOPPING=1 on SIGTERM.

PID 1 is not systemd here: the test binds the notify socket itself (the abstract-namespace
``@`` form, as systemd's own socket is named) and wedges the card reader with the simulated
reader's ``hang_on_wait`` fault, a driver call that never returns.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_USEC = 1_000_000
PING_S = WATCHDOG_USEC / 1_000_000 / 2
HANG_ON_WAIT = 40
"""The reader's 40th wait for a card event (~10 s of 0.25 s polls) never returns."""


def write_config(tmp_path: Path) -> Path:
    (tmp_path / "secret").write_text("00" * 32)
    (tmp_path / "secret").chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[terminal]
id = "XT-WATCHDOG-1"
secret_file = "{tmp_path / "secret"}"
state_dir = "{tmp_path / "state"}"

[platform]
base_url = "http://127.0.0.1:9"
connect_timeout_s = 0.5
read_timeout_s = 0.5
retries = 0
probe_interval_s = 1.0

[card_reader]
driver = "simulated"
[card_reader.options]
faults = ["hang_on_wait:{HANG_ON_WAIT}"]

[receipt_printer.options]
output_dir = "{tmp_path / "printed"}"

[document_printer.options]
output_dir = "{tmp_path / "printed"}"

[session]
reading_timeout_s = 1.0
""",
        encoding="utf-8",
    )
    return config


def next_message(sock: socket.socket, timeout: float) -> str | None:
    sock.settimeout(timeout)
    try:
        return sock.recv(4096).decode()
    except TimeoutError:
        return None


def test_watchdog_pings_stop_when_the_reader_loop_is_wedged(tmp_path: Path) -> None:
    name = f"taihaoban-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        log_path = tmp_path / "kiosk.log"
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "NOTIFY_SOCKET": "@" + name,
            "WATCHDOG_USEC": str(WATCHDOG_USEC),
        }
        env.pop("WATCHDOG_PID", None)
        command = [sys.executable, "-m", "ui.cli", "run", "--config", str(write_config(tmp_path))]
        with (
            open(log_path, "wb") as log,
            subprocess.Popen(
                [*command, "--windowed"], stdout=log, stderr=log, env=env, cwd=ROOT
            ) as kiosk,
        ):
            try:
                messages = []
                while "READY=1" not in messages:
                    message = next_message(sock, 60)
                    assert message is not None, log_path.read_text()
                    messages.append(message)
                assert messages == ["READY=1"]  # no ping before the devices were checked
                pings = 0
                while (message := next_message(sock, 10 * PING_S)) is not None:
                    assert message == "WATCHDOG=1"
                    pings += 1
                    assert pings < 200, "the pings never stopped"
                log_text = log_path.read_text()
                assert pings >= 3, log_text
                assert "watchdog not fed: the card-reader loop has not gone round" in log_text
                assert next_message(sock, 10 * PING_S) is None  # and they stay away

                kiosk.send_signal(signal.SIGTERM)
                assert next_message(sock, 30) == "STOPPING=1"
                assert kiosk.wait(30) == 0
            finally:
                if kiosk.poll() is None:
                    kiosk.kill()
    # The wedged reader's thread is named and left behind; the kiosk still stops.
    assert "thread card-reader did not stop in time" in log_path.read_text()
