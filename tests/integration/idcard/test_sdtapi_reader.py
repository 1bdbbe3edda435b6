"""The sdtapi driver against a C library with the vendor's ABI, compiled with gcc here."""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.base import HealthLevel, NotFound, Offline
from devices.idcard.apdu import SecurityModuleFault
from devices.idcard.card import CardMoved, ChecksumMismatch, GarbledCard, IdentityCard, NotAnIdCard
from devices.idcard.reader import CardEvent
from devices.idcard.sdtapi import SdtapiOptions, SdtapiReader
from devices.idcard.text_block import encode_text_block
from devices.registry import load_reader
from tests.cards import foreign_2023_card, foreign_card, id_number, make_card, permit_card

FIND, SELECT, READ = 0, 1, 2
PHOTO = bytes(range(256)) * 4


class FakeVendor:
    """The test's hands on the stand-in library (the same loaded object the driver uses)."""

    def __init__(self, path: Path) -> None:
        self.lib = ctypes.CDLL(str(path))
        self.lib.fake_reset()

    def lay(self, card: IdentityCard | bytes, photo: bytes = PHOTO) -> None:
        text = card if isinstance(card, bytes) else encode_text_block(card)
        self.lib.fake_lay_card(text, len(text), photo, len(photo))

    def take(self) -> None:
        self.lib.fake_take_card()

    def script(self, op: int, code: int, times: int = 1) -> None:
        self.lib.fake_script(op, code, times)

    def calls(self, op: int) -> int:
        return int(self.lib.fake_calls(op))


@pytest.fixture
def library(build_library: Callable[[str], Path]) -> Path:
    return build_library("fake_sdtapi.c")


@pytest.fixture
def vendor(library: Path) -> Iterator[FakeVendor]:
    fake = FakeVendor(library)
    yield fake
    fake.lib.fake_reset()


@pytest.fixture
def reader(library: Path, vendor: FakeVendor) -> Iterator[SdtapiReader]:
    device = load_reader("sdtapi", SdtapiOptions(library=str(library), poll_interval_s=0.01))
    assert isinstance(device, SdtapiReader)
    device.open()
    yield device
    device.close()


@pytest.mark.parametrize("build", [make_card, permit_card, foreign_card, foreign_2023_card])
def test_reads_every_card_type(
    reader: SdtapiReader, vendor: FakeVendor, build: Callable[[], IdentityCard]
) -> None:
    card = build()
    vendor.lay(card)
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    read = reader.read_card(5.0)
    assert (read.card_type, read.id_number, read.photo) == (card.card_type, card.id_number, PHOTO)


def test_no_card_no_event(reader: SdtapiReader) -> None:
    assert reader.wait_for_card_event(0.05) is None
    with pytest.raises(NotFound):
        reader.read_card(1.0)


def test_a_read_card_halts_and_the_next_card_is_still_seen(
    reader: SdtapiReader, vendor: FakeVendor
) -> None:
    vendor.lay(make_card())
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    reader.read_card(5.0)
    assert reader.wait_for_card_event(0.1) is None  # halted chip: "no card" is not removal
    vendor.take()
    vendor.lay(permit_card())
    assert reader.wait_for_card_event(1.0) is CardEvent.REMOVED
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    assert reader.read_card(5.0).card_type is permit_card().card_type


def test_an_unread_card_taken_off_is_removed(reader: SdtapiReader, vendor: FakeVendor) -> None:
    vendor.lay(make_card())
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    vendor.take()
    assert reader.wait_for_card_event(1.0) is CardEvent.REMOVED


@pytest.mark.parametrize(
    ("op", "code", "error"),
    [
        (READ, 0x41, CardMoved),
        (SELECT, 0x81, CardMoved),
        (READ, 0x40, NotAnIdCard),
        (READ, 0x60, SecurityModuleFault),
        (READ, 0x31, GarbledCard),
    ],
)
def test_vendor_failures_map_to_what_the_resident_is_told(
    reader: SdtapiReader, vendor: FakeVendor, op: int, code: int, error: type
) -> None:
    vendor.lay(make_card())
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    vendor.script(op, code)
    with pytest.raises(error):
        reader.read_card(5.0)
    assert reader.read_card(5.0).id_number == id_number()  # the next try works


def test_bad_check_digit_is_refused(reader: SdtapiReader, vendor: FakeVendor) -> None:
    good = id_number()
    vendor.lay(make_card(id_number=good[:17] + ("0" if good[17] != "0" else "1")))
    reader.wait_for_card_event(1.0)
    with pytest.raises(ChecksumMismatch):
        reader.read_card(5.0)


def test_short_text_from_the_library_is_garbled(reader: SdtapiReader, vendor: FakeVendor) -> None:
    vendor.lay(encode_text_block(make_card())[:200])
    reader.wait_for_card_event(1.0)
    with pytest.raises(GarbledCard):
        reader.read_card(5.0)


def test_port_outage_is_reported_once_and_recovers(
    reader: SdtapiReader, vendor: FakeVendor
) -> None:
    vendor.script(FIND, 0x01, times=5)
    with pytest.raises(Offline):
        reader.wait_for_card_event(1.0)
    reader.close()
    reader.open()
    vendor.lay(make_card())
    assert reader.wait_for_card_event(1.0) is CardEvent.INSERTED
    assert reader.read_card(5.0).id_number == id_number()


def test_health_and_a_missing_library(reader: SdtapiReader, tmp_path: Path) -> None:
    assert reader.check_health(HealthLevel.INTERNAL).ok
    missing = SdtapiReader(library=str(tmp_path / "libsdtapi.so"))
    with pytest.raises(NotFound, match="cannot be loaded"):
        missing.open()
