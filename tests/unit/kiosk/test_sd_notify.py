import os
import socket
import uuid
from pathlib import Path

import pytest

from kiosk.sd_notify import Notifier


def test_a_filesystem_socket_gets_each_message(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)
        notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000"})
        notifier.notify("READY=1")
        notifier.notify("WATCHDOG=1")
        assert [sock.recv(64), sock.recv(64)] == [b"READY=1", b"WATCHDOG=1"]
    assert notifier.watchdog_interval_s == 15.0  # half of WatchdogSec


def test_an_abstract_socket_is_named_with_an_at_sign() -> None:
    name = f"taihaoban-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        Notifier({"NOTIFY_SOCKET": "@" + name}).notify("STOPPING=1")
        assert sock.recv(64) == b"STOPPING=1"


@pytest.mark.parametrize(
    ("environ", "interval"),
    [
        ({}, None),  # not run by systemd
        ({"WATCHDOG_USEC": "2000000"}, None),  # a watchdog without a socket to feed
        ({"NOTIFY_SOCKET": "@x"}, None),  # no WatchdogSec
        ({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "0"}, None),
        ({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "soon"}, None),
        ({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"}, None),
        ({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "self"}, 1.0),
    ],
)
def test_the_watchdog_interval_honours_usec_and_pid(
    environ: dict[str, str], interval: float | None
) -> None:
    if environ.get("WATCHDOG_PID") == "self":
        environ = {**environ, "WATCHDOG_PID": str(os.getpid())}
    assert Notifier(environ).watchdog_interval_s == interval


def test_without_systemd_nothing_is_sent_and_nothing_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Notifier({}).notify("READY=1")
    assert caplog.records == []


def test_a_socket_that_is_gone_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone")}).notify("WATCHDOG=1")
    assert "systemd notify WATCHDOG failed" in caplog.text
