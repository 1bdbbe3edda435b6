"""TCP printers of our own on 127.0.0.1: an ESC/POS printer that answers status queries, and a
plain byte sink (what a CUPS raw queue sends).

``EscposSink`` reads the stream the way a printer does, command by command (so status query
bytes inside raster data are data, not queries), answers ``DLE EOT n`` with the scripted
status byte (or nothing: ``None``), and records every other byte per connection. A scripted
``after_cut`` status replaces the current one once a cut arrives: the printer ran out of
paper or had its cover opened while printing that receipt.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

from devices.printers.escpos_status import encode_status

DLE, EOT, ESC, GS, FS = 0x10, 0x04, 0x1B, 0x1D, 0x1C
HEALTHY = encode_status()


def command_length(buf: bytes | bytearray) -> int | None:
    """Bytes taken by the command at the start of ``buf``; None when more must arrive."""
    first = buf[0]
    if first == DLE:
        return 3 if len(buf) >= 3 else None
    if first not in (ESC, GS, FS):
        return 1
    if len(buf) < 2:
        return None
    cmd = buf[1]
    if first == ESC:
        return 2 if cmd == ord("@") else 3 if len(buf) >= 3 else None
    if first == FS:
        if cmd != ord("&"):
            return 2
        end = bytes(buf).find(b"\x1c.", 2)
        return None if end < 0 else end + 2
    if cmd == ord("V"):
        if len(buf) < 3:
            return None
        return 4 if buf[2] in (65, 66) else 3
    if cmd == ord("v"):
        if len(buf) < 8:
            return None
        return 8 + (buf[4] + 256 * buf[5]) * (buf[6] + 256 * buf[7])
    if cmd == ord("("):
        if len(buf) < 5:
            return None
        return 5 + buf[3] + 256 * buf[4]
    return 3


class _Server:
    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(8)
        self._server.settimeout(0.05)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._accept = threading.Thread(target=self._serve, name="sink-accept", daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(0.05)
            thread = threading.Thread(target=self._handle_guarded, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle_guarded(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            self._handle(conn)

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def _chunks(self, conn: socket.socket) -> list[bytes]:
        """What arrived within one short wait: [] for nothing yet, [b""] once closed."""
        try:
            return [conn.recv(65536)]
        except TimeoutError:
            return []

    def stop(self) -> None:
        self._stop.set()
        self._server.close()
        self._accept.join(2)
        for thread in self._threads:
            thread.join(2)


class ByteSink(_Server):
    """Records every connection's bytes (a raw CUPS queue's device)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        super().__init__()

    def _handle(self, conn: socket.socket) -> None:
        data = bytearray()
        while not self._stop.is_set():
            for chunk in self._chunks(conn):
                if not chunk:
                    with self._lock:
                        self.received.append(bytes(data))
                    return
                data += chunk

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.02)
        return list(self.received)


class EscposSink(_Server):
    """An ESC/POS printer on loopback with scripted status replies."""

    def __init__(self) -> None:
        self.replies: dict[int, int | None] = dict(HEALTHY)
        """The byte answered to ``DLE EOT n``; None: the printer says nothing."""
        self.after_cut: dict[int, int | None] | None = None
        """Replies from the next cut on (a fault that struck while the receipt printed)."""
        self.connections: list[bytearray] = []
        self.queries: list[int] = []
        self.on_cut: Callable[[], None] | None = None
        super().__init__()

    def set_status(self, **condition: bool) -> None:
        """The printer's condition now, e.g. ``set_status(near_end=True)``."""
        self.replies = dict(encode_status(**condition))

    def go_silent(self) -> None:
        self.replies = dict.fromkeys(self.replies)

    @property
    def jobs(self) -> list[bytes]:
        """Every connection's bytes apart from status queries, where there were any."""
        with self._lock:
            return [bytes(c) for c in self.connections if c]

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs once ``count`` have arrived (a job with no status query after it may
        still be in flight when the driver returns)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.jobs) < count:
            time.sleep(0.01)
        return self.jobs

    def _handle(self, conn: socket.socket) -> None:
        received = bytearray()
        with self._lock:
            self.connections.append(received)
        pending = bytearray()
        while not self._stop.is_set():
            for chunk in self._chunks(conn):
                if not chunk:
                    return
                pending += chunk
                self._consume(conn, pending, received)

    def _consume(self, conn: socket.socket, pending: bytearray, received: bytearray) -> None:
        while pending:
            length = command_length(pending)
            if length is None or length > len(pending):
                return
            command = bytes(pending[:length])
            del pending[:length]
            if command[0] == DLE and command[1] == EOT:
                with self._lock:
                    self.queries.append(command[2])
                reply = self.replies.get(command[2])
                if reply is not None:
                    conn.sendall(bytes([reply]))
                continue
            with self._lock:
                received += command
            if command[0] == GS and command[1] == ord("V") and self.after_cut is not None:
                self.replies, self.after_cut = dict(self.after_cut), None
