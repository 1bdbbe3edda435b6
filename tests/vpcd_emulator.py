"""A card emulator of ours that speaks vpcd's wire protocol: a card laid on a virtual reader.

vpcd (the ``Virtual PCD`` reader of pcscd) waits for an emulator on the TCP port its
reader.conf names (reader 0) and the next one (reader 1); Debian's default is 35963, ours
(``tests/integration/idcard/pcscd.py``) a free pair per daemon. Every message either way is
a 2-byte big-endian length and a payload; a 1-byte payload from vpcd is a control message
(0 power off, 1 power on, 2 reset, 4 send the ATR), anything longer a command APDU.
Connecting lays the card on the reader; closing the socket takes it off.

``EmulatedCard`` says what the card (behind a reader with a security module) answers, in the
``generic-sam-ccid`` command set, with scripted misbehaviour. ``VpcdCard`` connects it.
Replies go out in one ``sendall`` on a TCP_NODELAY socket, and every read is acknowledged at
once (TCP_QUICKACK): otherwise delayed ACKs cost ~44 ms per APDU.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

ATR = bytes.fromhex("3B80800101")  # T=1, no historical bytes, TCK
SELECT = bytes.fromhex("00A4040007F0494443415244")
READ_TEXT = bytes.fromhex("80B0000000")
READ_PHOTO = bytes.fromhex("80B2")
GET_UID = bytes.fromhex("FFCA000000")
OK = b"\x90\x00"
NOT_FOUND = b"\x6a\x82"
NOT_READY = b"\x69\x85"
SAM_FAULT = b"\x6f\x00"
INS_NOT_SUPPORTED = b"\x6d\x00"


@dataclass
class EmulatedCard:
    """What lies on the reader, and how the reader's security module answers for it.

    ``kind``: ``"id"`` an identity card; ``"bank"`` any other card (SELECT → 6A 82);
    ``"uid_only"`` an identity card on a reader without a security module (only the UID).
    """

    text_block: bytes = b" \x00" * 128
    photo: bytes = bytes(range(256)) * 4
    kind: str = "id"
    uid: bytes = bytes.fromhex("0102030405060708")
    not_ready: int = 0
    """READ TEXT answers 69 85 this many times first."""
    sam_fault: bool = False
    """READ TEXT answers 6F 00."""
    pull_after_text: bool = False
    """The card leaves the reader as soon as READ TEXT has been answered."""
    apdu_delay_s: float = 0.0
    received: list[bytes] = field(default_factory=list)

    def answer(self, apdu: bytes) -> bytes | None:
        """The response APDU, or None when the card has left the reader."""
        self.received.append(apdu)
        if self.apdu_delay_s:
            time.sleep(self.apdu_delay_s)
        if apdu.startswith(GET_UID):
            return self.uid + OK
        if self.kind == "uid_only":
            return INS_NOT_SUPPORTED
        if apdu.startswith(SELECT):
            return OK if self.kind == "id" else NOT_FOUND
        if self.kind != "id":
            return INS_NOT_SUPPORTED
        if apdu.startswith(READ_TEXT):
            if self.sam_fault:
                return SAM_FAULT
            if self.not_ready > 0:
                self.not_ready -= 1
                return NOT_READY
            return self.text_block + OK
        if apdu.startswith(READ_PHOTO) and len(apdu) >= 4:
            if self.pull_after_text:
                return None
            offset = apdu[2] << 8 | apdu[3]
            return self.photo[offset : offset + 256] + OK
        return INS_NOT_SUPPORTED


class VpcdCard:
    """An ``EmulatedCard`` on vpcd's reader at ``port``: ``insert()`` lays it, ``remove()``
    takes it off. Also a context manager (inserted inside the ``with``)."""

    def __init__(self, card: EmulatedCard, port: int, host: str = "127.0.0.1"):
        self.card = card
        self.address = (host, port)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection(self.address, timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="vpcd-card")
        self._thread.start()

    def remove(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):  # already shut down when pulled mid-read
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def __enter__(self) -> VpcdCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                payload = _receive(sock)
                if payload is None:
                    return
                if len(payload) == 1:
                    if payload[0] == 4:
                        sock.sendall(struct.pack(">H", len(ATR)) + ATR)
                    continue
                reply = self.card.answer(payload)
                if reply is None:  # pulled mid-read
                    sock.shutdown(socket.SHUT_RDWR)
                    return
                sock.sendall(struct.pack(">H", len(reply)) + reply)
        except OSError:
            return


def _receive(sock: socket.socket) -> bytes | None:
    header = _exactly(sock, 2)
    if header is None:
        return None
    return _exactly(sock, struct.unpack(">H", header)[0])


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
        # vpcd writes the length and the payload separately with Nagle on: the payload waits
        # for our ACK of the length, which Linux would delay by ~40 ms. Acknowledge now.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return data
