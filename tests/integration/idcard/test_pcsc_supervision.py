"""What a kiosk meets over months: pcscd restarted or killed, the reader unplugged, and
thousands of cards. After each, the next card is read within 5 s without a restart."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Callable

import pytest

from devices.base import DeviceError, DeviceState, HealthLevel, NotFound, Offline
from devices.idcard.pcsc import PcscReader
from devices.idcard.reader import CardEvent
from devices.idcard.text_block import encode_text_block
from tests.cards import id_number, make_card
from tests.integration.idcard.pcscd import Pcscd
from tests.vpcd_emulator import EmulatedCard, VpcdCard

pytestmark = pytest.mark.service
Lay = Callable[..., VpcdCard]
RECOVERY_S = 5.0


def card() -> EmulatedCard:
    return EmulatedCard(text_block=encode_text_block(make_card()))


def next_event(
    reader: PcscReader, timeout: float = RECOVERY_S
) -> tuple[CardEvent | None, list[str]]:
    """The next card event, and the codes of the device errors raised on the way (as the
    kiosk's reader thread would meet them: it records the fault, closes and opens again)."""
    raised: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = reader.wait_for_card_event(0.25)
        except DeviceError as error:
            raised.append(error.code)
            reader.close()
            reader.open()
            continue
        if event is not None:
            return event, raised
    return None, raised


def read_within(reader: PcscReader, seconds: float) -> float:
    """Seconds from now until the card on the reader has been read."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        event, _ = next_event(reader, seconds - (time.monotonic() - started))
        if event is CardEvent.INSERTED:
            assert reader.read_card(5.0).id_number == id_number()
            return time.monotonic() - started
    raise AssertionError(f"no card read within {seconds} s")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["restarted", "killed"])
def test_pcscd_gone_and_back_reads_again_within_5_s(
    pcscd: Pcscd, reader: PcscReader, lay: Lay, sig: signal.Signals
) -> None:
    lay(card())
    assert read_within(reader, RECOVERY_S) < RECOVERY_S
    pcscd.stop(sig)  # the emulator's connection dies with vpcd: the card is gone too
    event, raised = next_event(reader, 2.0)
    assert (event, raised) == (CardEvent.REMOVED, ["offline"])
    assert reader.state is DeviceState.OFFLINE
    assert next_event(reader, 0.6) == (None, [])  # reported once, then quiet
    pcscd.start()
    back = time.monotonic()
    lay(card())
    read_within(reader, RECOVERY_S)
    assert time.monotonic() - back < RECOVERY_S
    assert reader.state is DeviceState.IDLE


def test_pcscd_down_when_the_kiosk_starts(pcscd: Pcscd, lay: Lay) -> None:
    pcscd.stop()
    reader = PcscReader(reader="Virtual PCD 00 00", retry_s=0.1)
    with pytest.raises(Offline):
        reader.open()
    reader.open()  # the same outage is reported once
    assert reader.state is DeviceState.OFFLINE
    try:
        pcscd.start()
        lay(card())
        read_within(reader, RECOVERY_S)
    finally:
        reader.close()


def test_reader_unplugged_and_plugged_back(pcscd: Pcscd, reader: PcscReader, lay: Lay) -> None:
    pcscd.restart(readers=False)  # pcscd runs, the reader is gone
    event, raised = next_event(reader, 1.0)
    assert event is None
    assert raised in (["not_found"], ["offline"])  # offline if it looked during the restart
    assert next_event(reader, 0.6) == (None, [])
    health = reader.check_health(HealthLevel.INTERNAL)
    assert not health.ok and "no card reader matches" in health.text
    pcscd.restart(readers=True)
    back = time.monotonic()
    lay(card())
    read_within(reader, RECOVERY_S)
    assert time.monotonic() - back < RECOVERY_S


def test_no_matching_reader_names_what_it_saw(pcscd: Pcscd) -> None:
    reader = PcscReader(reader="ACS ACR1281")
    with pytest.raises(NotFound) as caught:
        reader.open()
    assert "Virtual PCD 00 00" in caught.value.technician_hint
    reader.close()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_hundred_cards_leak_no_threads_or_descriptors(pcscd: Pcscd, lay: Lay) -> None:
    """100 emulator connections and disconnections, alternating between the two readers so
    that pcscd's 0.4 s presence polls overlap; every card is read."""
    reader = PcscReader(reader="Virtual PCD")
    reader.open()
    on: list[VpcdCard | None] = [None, None]
    gc.collect()
    threads, fds = threading.active_count(), open_fds()
    try:
        for n in range(100):
            slot = n % 2
            other = on[1 - slot]
            if other is not None:
                other.remove()
                on[1 - slot] = None
            on[slot] = VpcdCard(card(), port=pcscd.port + slot)
            on[slot].insert()
            seen = []
            while CardEvent.INSERTED not in seen or (n > 0 and CardEvent.REMOVED not in seen):
                event = reader.wait_for_card_event(2.0)
                assert event is not None, f"cycle {n}: saw {seen}"
                seen.append(event)
            assert reader.read_card(5.0).id_number == id_number()
    finally:
        for connection in on:
            if connection is not None:
                connection.remove()
        reader.close()
    gc.collect()
    assert threading.active_count() <= threads
    assert open_fds() <= fds
