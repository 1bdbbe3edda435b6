"""The pcsc driver through the real stack: pyscard → pcscd → vpcd → our card emulator."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from devices.base import HealthLevel, Timeout
from devices.idcard.apdu import NoSecurityModule, SecurityModuleFault
from devices.idcard.card import CardMoved, ChecksumMismatch, GarbledCard, IdentityCard, NotAnIdCard
from devices.idcard.pcsc import PcscReader
from devices.idcard.reader import CardEvent
from devices.idcard.text_block import encode_text_block
from tests.cards import foreign_2023_card, foreign_card, id_number, make_card, permit_card
from tests.integration.idcard.conftest import wait_for
from tests.vpcd_emulator import READ_TEXT, EmulatedCard, VpcdCard

pytestmark = pytest.mark.service
Lay = Callable[..., VpcdCard]
PHOTO = bytes(range(256)) * 4


def emulated(card: IdentityCard, **script: object) -> EmulatedCard:
    return EmulatedCard(text_block=encode_text_block(card), photo=PHOTO, **script)  # type: ignore[arg-type]


@pytest.mark.parametrize("build", [make_card, permit_card, foreign_card, foreign_2023_card])
def test_reads_every_card_type(
    reader: PcscReader, lay: Lay, build: Callable[[], IdentityCard]
) -> None:
    card = build()
    lay(emulated(card))
    wait_for(reader, CardEvent.INSERTED)
    read = reader.read_card(5.0)
    assert read.card_type is card.card_type
    assert read.id_number == card.id_number and read.name == card.name
    assert read.photo == PHOTO
    assert reader.photo_decoder.decode(read.photo).placeholder


def test_rare_characters_long_address_and_long_term_validity(reader: PcscReader, lay: Lay) -> None:
    address = "山东省新泰市青云街道" + "测" * 25
    card = make_card(name="欧阳䶮", address=address, valid_to=None)
    assert len(address.encode("utf-16-le")) == 70
    lay(emulated(card))
    wait_for(reader, CardEvent.INSERTED)
    read = reader.read_card(5.0)
    assert (read.name, read.address, read.valid_to) == ("欧阳䶮", address, None)


def test_bad_check_digit_and_garbled_block_are_bad_cards(reader: PcscReader, lay: Lay) -> None:
    good = id_number()
    wrong = make_card(id_number=good[:17] + ("0" if good[17] != "0" else "1"))
    connection = lay(emulated(wrong))
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(ChecksumMismatch):
        reader.read_card(5.0)
    connection.remove()
    wait_for(reader, CardEvent.REMOVED)
    garbled = bytearray(encode_text_block(make_card()))
    garbled[30:32] = "7".encode("utf-16-le")  # no such sex code
    lay(EmulatedCard(text_block=bytes(garbled)))
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(GarbledCard):
        reader.read_card(5.0)


def test_a_bank_card_is_not_an_identity_card(reader: PcscReader, lay: Lay) -> None:
    lay(EmulatedCard(kind="bank"))
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(NotAnIdCard):
        reader.read_card(5.0)


def test_a_card_pulled_after_read_text_is_a_moved_card(reader: PcscReader, lay: Lay) -> None:
    lay(emulated(make_card(), pull_after_text=True))
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(CardMoved):
        reader.read_card(5.0)
    wait_for(reader, CardEvent.REMOVED)
    lay(emulated(make_card()))
    wait_for(reader, CardEvent.INSERTED)
    assert reader.read_card(5.0).id_number == id_number()


def test_not_ready_is_retried_until_the_module_answers(reader: PcscReader, lay: Lay) -> None:
    card = emulated(make_card(), not_ready=3)
    lay(card)
    wait_for(reader, CardEvent.INSERTED)
    assert reader.read_card(5.0).id_number == id_number()
    assert card.received.count(READ_TEXT) == 4


def test_security_module_fault_is_reported_without_a_retry_storm(
    reader: PcscReader, lay: Lay
) -> None:
    card = emulated(make_card(), sam_fault=True)
    lay(card)
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(SecurityModuleFault) as caught:
        reader.read_card(5.0)
    assert card.received.count(READ_TEXT) == 1
    assert "security module" in caught.value.technician_hint


def test_a_reader_without_security_module_says_so_quickly(reader: PcscReader, lay: Lay) -> None:
    lay(EmulatedCard(kind="uid_only"))
    wait_for(reader, CardEvent.INSERTED)
    started = time.monotonic()
    with pytest.raises(NoSecurityModule, match="this reader cannot read identity data"):
        reader.read_card(5.0)
    assert time.monotonic() - started < 5.0 / 2, "said so, rather than waiting out the timeout"
    health = reader.check_health(HealthLevel.EXTERNAL)
    assert not health.ok and health.text == "this reader cannot read identity data"


def test_every_read_has_a_timeout(reader: PcscReader, lay: Lay) -> None:
    card = emulated(make_card(), apdu_delay_s=0.2)
    lay(card)
    wait_for(reader, CardEvent.INSERTED)
    with pytest.raises(Timeout):
        reader.read_card(0.5)
    # No command starts after the deadline: at 0.2 s each, SELECT, READ TEXT and one photo
    # block at most, however slow the machine is.
    assert len(card.received) <= 3


def test_no_card_connection_outlives_a_read(reader: PcscReader, lay: Lay) -> None:
    from smartcard import scard

    lay(emulated(make_card()))
    wait_for(reader, CardEvent.INSERTED)
    reader.read_card(5.0)
    rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    rc, card, _ = scard.SCardConnect(
        context, "Virtual PCD 00 00", scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T1
    )
    assert rc == scard.SCARD_S_SUCCESS  # exclusive: nobody else holds the card
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)


def test_two_readers_the_pattern_picks_one(pcscd: object, lay: Lay) -> None:
    second = PcscReader(reader="Virtual PCD 00 01$")
    second.open()
    try:
        lay(EmulatedCard(kind="bank"), reader=0)
        assert second.wait_for_card_event(0.8) is None  # a card on the other reader
        lay(emulated(make_card()), reader=1)
        wait_for(second, CardEvent.INSERTED)
        assert second.read_card(5.0).id_number == id_number()
    finally:
        second.close()


def test_two_readers_both_watched_the_last_laid_card_is_read(pcscd: object, lay: Lay) -> None:
    both = PcscReader(reader="Virtual PCD")
    both.open()
    try:
        lay(EmulatedCard(kind="bank"), reader=0)
        wait_for(both, CardEvent.INSERTED)
        lay(emulated(permit_card()), reader=1)
        wait_for(both, CardEvent.INSERTED)
        assert both.read_card(5.0).card_type is permit_card().card_type
    finally:
        both.close()


def test_health_lists_the_readers_without_touching_a_card(reader: PcscReader) -> None:
    health = reader.check_health(HealthLevel.INTERNAL)
    assert health.ok and health.details["readers"] == "Virtual PCD 00 00"
    assert health.details["profile"] == "generic-sam-ccid"
