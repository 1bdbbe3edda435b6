"""Card laid on the reader → ``IdentityCard``, through pyscard, pcscd and vpcd, beside the raw
emulator round trip measured in the same run.

Three figures over ``reads`` cards each:

- ``idcard_card_to_identity``: from the emulator connecting (the card laid) to
  ``read_card`` returning; this includes pcscd noticing the card, which it polls for vpcd
  every 0.4 s, so it is bounded below by that poll.
- ``idcard_read_card``: from the INSERTED event to ``read_card`` returning (connect, SELECT,
  READ TEXT, 4 × READ PHOTO, disconnect, parse).
- ``idcard_raw_emulator_round_trip``: the same six APDUs sent straight to the emulator over
  its socket by a stand-in for vpcd, no pcscd in between.

Cards alternate between vpcd's two readers so that one card's removal and the next card's
arrival are noticed in the same pcscd poll. The pcscd is a private one (see
``tests/integration/idcard/pcscd.py``), beside any the machine runs; where none can be
started, the figure says why it was skipped.
"""

from __future__ import annotations

import socket
import struct
import tempfile
import time
from pathlib import Path
from typing import Any

from devices.idcard.profile import load_profile
from devices.idcard.text_block import encode_text_block
from tests.cards import make_card
from tests.integration.idcard.pcscd import Pcscd, PcscdUnavailable


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _figures(name: str, values: list[float], emit: Any, percentile: Any, **extra: Any) -> None:
    emit(
        name,
        reads=len(values),
        p50_ms=_ms(percentile(values, 50)),
        p95_ms=_ms(percentile(values, 95)),
        **extra,
    )


def _through_pcscd(reads: int, pcscd: Pcscd) -> tuple[list[float], list[float]]:
    from devices.idcard.pcsc import PcscReader
    from devices.idcard.reader import CardEvent
    from tests.vpcd_emulator import EmulatedCard, VpcdCard

    pcscd.start()
    reader = PcscReader(reader="Virtual PCD")
    block = encode_text_block(make_card())
    on: list[VpcdCard | None] = [None, None]
    laid_to_card, event_to_card = [], []
    try:
        reader.open()
        for n in range(reads):
            slot = n % 2
            previous = on[1 - slot]
            if previous is not None:
                previous.remove()
                on[1 - slot] = None
            card = VpcdCard(EmulatedCard(text_block=block), port=pcscd.port + slot)
            laid = time.perf_counter()
            card.insert()
            on[slot] = card
            while reader.wait_for_card_event(5.0) is not CardEvent.INSERTED:
                pass
            inserted = time.perf_counter()
            reader.read_card(5.0)
            done = time.perf_counter()
            laid_to_card.append(done - laid)
            event_to_card.append(done - inserted)
    finally:
        for card in on:
            if card is not None:
                card.remove()
        reader.close()
        pcscd.stop()
    return laid_to_card, event_to_card


def _raw_round_trips(reads: int) -> list[float]:
    """The emulator alone: a stand-in for vpcd on loopback sends it the read's six APDUs."""
    from tests.vpcd_emulator import EmulatedCard, VpcdCard

    profile = load_profile()
    commands = [profile.select, profile.read_text, *profile.read_photo]
    times = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        card = VpcdCard(
            EmulatedCard(text_block=encode_text_block(make_card())), port=server.getsockname()[1]
        )
        card.insert()
        connection, _ = server.accept()
        try:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for _ in range(reads):
                started = time.perf_counter()
                for command in commands:
                    connection.sendall(struct.pack(">H", len(command)) + command)
                    size = struct.unpack(">H", _exactly(connection, 2))[0]
                    _exactly(connection, size)
                times.append(time.perf_counter() - started)
        finally:
            connection.close()
            card.remove()
    return times


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("emulator closed the connection")
        data += chunk
    return data


def bench_idcard(emit: Any, percentile: Any, reads: int = 100) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-pcscd-") as workdir:
        try:
            laid_to_card, event_to_card = _through_pcscd(
                reads, Pcscd(Path(workdir), log_apdus=False)
            )
        except PcscdUnavailable as error:
            emit("idcard_card_to_identity", skipped=str(error))
            return
    raw = _raw_round_trips(reads)
    _figures(
        "idcard_card_to_identity",
        laid_to_card,
        emit,
        percentile,
        note="emulator connects → IdentityCard; includes pcscd's 0.4 s presence poll",
    )
    _figures("idcard_read_card", event_to_card, emit, percentile, note="INSERTED → IdentityCard")
    _figures(
        "idcard_raw_emulator_round_trip",
        raw,
        emit,
        percentile,
        note="the same 6 APDUs straight to the emulator, no pcscd",
    )
