"""The whole kiosk core with the pcsc driver: card laid on vpcd → report shown, each card
failure on its own screen, and reading again within 5 s after pcscd comes back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.idcard.card import IdentityCard
from devices.idcard.pcsc import PcscOptions
from devices.idcard.text_block import encode_text_block
from kiosk.config import DeviceSettings, SessionSettings
from kiosk.demo import DemoEnvironment
from kiosk.session import FailureReason, State
from sandbox import population
from tests.cards import make_card
from tests.integration.idcard.pcscd import Pcscd
from tests.kiosk_harness import RunningKiosk
from tests.vpcd_emulator import EmulatedCard, VpcdCard

pytestmark = pytest.mark.service
FAST = SessionSettings(reading_timeout_s=5, showing_idle_timeout_s=60, failed_timeout_s=60)


def pcsc_kiosk(demo: DemoEnvironment) -> RunningKiosk:
    assert demo.settings is not None
    settings = dataclasses.replace(
        demo.settings,
        card_reader=DeviceSettings("pcsc", PcscOptions(reader="Virtual PCD 00 00", retry_s=0.1)),
        session=FAST,
    )
    return RunningKiosk(settings)


@pytest.fixture
def kiosk(tmp_path: Path, pcscd: Pcscd) -> Iterator[RunningKiosk]:
    with DemoEnvironment(root=tmp_path) as demo:
        k = pcsc_kiosk(demo)
        yield k
        k.runtime.stop()


def expired_card() -> IdentityCard:
    card = population.richest_resident().card()
    return dataclasses.replace(card, valid_from=dt.date(2000, 1, 1), valid_to=dt.date(2020, 1, 1))


def resident_card() -> EmulatedCard:
    return EmulatedCard(text_block=encode_text_block(population.richest_resident().card()))


def test_a_card_on_the_reader_shows_the_report_and_leaving_wipes_it(
    kiosk: RunningKiosk, lay: Callable[..., VpcdCard]
) -> None:
    connection = lay(resident_card())
    kiosk.wait_for(State.READING)
    shown = kiosk.wait_for(State.SHOWING)
    assert shown.holder_name == population.richest_resident().card().name
    connection.remove()
    idle = kiosk.wait_for(State.IDLE)
    assert idle.holder_name == "" and idle.report is None


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        (EmulatedCard(kind="bank"), FailureReason.NOT_AN_ID_CARD),
        (
            EmulatedCard(text_block=encode_text_block(make_card()), pull_after_text=True),
            FailureReason.CARD_MOVED,
        ),
        (EmulatedCard(text_block=encode_text_block(expired_card())), FailureReason.CARD_EXPIRED),
        (
            EmulatedCard(text_block=encode_text_block(make_card()), sam_fault=True),
            FailureReason.READER_FAULT,
        ),
    ],
    ids=["bank-card", "moved", "expired", "security-module"],
)
def test_each_card_failure_has_its_own_screen(
    kiosk: RunningKiosk, lay: Callable[..., VpcdCard], card: EmulatedCard, reason: FailureReason
) -> None:
    lay(card)
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None and failed.failure.reason is reason


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["restarted", "killed"])
def test_the_kiosk_reads_again_within_5_s_after_pcscd_comes_back(
    kiosk: RunningKiosk, pcscd: Pcscd, lay: Callable[..., VpcdCard], sig: signal.Signals
) -> None:
    lay(resident_card())
    kiosk.wait_for(State.SHOWING)
    pcscd.stop(sig)
    kiosk.wait_for(State.IDLE)  # the reader went away with the card: session wiped
    time.sleep(1.0)
    pcscd.start()
    back = time.monotonic()
    lay(resident_card())
    kiosk.wait_for(State.SHOWING, timeout=10.0)
    assert time.monotonic() - back < 5.0
