"""The watchdog is fed from a timer on the GUI thread, and only while no loop is stale."""

import socket
import uuid
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.sd_notify import Notifier
from ui.app import SystemdWatchdog


@pytest.fixture
def notify_socket() -> Iterator[tuple[socket.socket, str]]:
    name = f"taihaoban-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.setblocking(False)
        yield sock, "@" + name


def received(sock: socket.socket) -> list[str]:
    messages = []
    while True:
        try:
            messages.append(sock.recv(64).decode())
        except BlockingIOError:
            return messages


def test_pings_follow_ready_and_stop_while_a_loop_is_stale(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, address = notify_socket
    stale: list[str] = []
    notifier = Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "100000"})
    watchdog = SystemdWatchdog(notifier, lambda: list(stale))
    watchdog.announce_ready()
    seen: list[str] = []
    qtbot.waitUntil(lambda: seen.extend(received(sock)) or seen.count("WATCHDOG=1") >= 3)
    assert seen[0] == "READY=1" and set(seen[1:]) == {"WATCHDOG=1"}
    stale.append("card-reader")
    qtbot.wait(200)  # the timer goes off four times meanwhile
    received(sock)
    qtbot.wait(200)
    assert received(sock) == []
    stale.clear()
    qtbot.waitUntil(lambda: "WATCHDOG=1" in received(sock))
    watchdog.timer.stop()


def test_without_a_watchdog_only_ready_is_sent(
    qtbot: QtBot, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, address = notify_socket
    watchdog = SystemdWatchdog(Notifier({"NOTIFY_SOCKET": address}), lambda: [])
    watchdog.announce_ready()
    assert not watchdog.timer.isActive()
    assert received(sock) == ["READY=1"]
