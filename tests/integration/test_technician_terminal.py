"""Diagnostics of a running kiosk (what technician mode on the screen uses): every call on
the device's own thread, the counters, the service switch, no resident session meanwhile."""

from __future__ import annotations

import datetime as dt
import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from devices.base import HealthLevel
from kiosk.demo import DemoEnvironment
from kiosk.diagnostics.checks import Area, Check, Status, by_area
from kiosk.diagnostics.device_checks import print_test_page, read_card_test
from kiosk.diagnostics.in_kiosk import diagnostics_for
from kiosk.diagnostics.run import run_checks
from kiosk.diagnostics.terminal_checks import set_service
from kiosk.session import SessionView, State
from sandbox import population
from tests.kiosk_harness import FAST, RunningKiosk

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def kiosk(demo: DemoEnvironment) -> Iterator[RunningKiosk]:
    settings = demo.with_session(FAST)
    running = RunningKiosk(settings, demo.cards)
    yield running
    running.runtime.stop()


def on_thread(name: str, action: Callable[[], Check]) -> Callable[[], Check]:
    """Run ``action`` on its own thread (as the UI runs checks off its GUI thread)."""
    result: list[Check] = []
    thread = threading.Thread(target=lambda: result.append(action()), name=name)
    thread.start()

    def join() -> Check:
        thread.join(15)
        assert not thread.is_alive()
        return result[0]

    return join


def test_the_running_kiosk_is_checked_through_its_own_threads(
    kiosk: RunningKiosk, demo: DemoEnvironment
) -> None:
    diag = diagnostics_for(kiosk.runtime, demo.log_file)
    kiosk.reader.lay_card(population.richest_resident().key)  # one resident session first
    kiosk.wait_for(State.SHOWING)
    kiosk.runtime.terminal.end_session()
    kiosk.wait_for(State.IDLE)

    checks = by_area(run_checks(diag, HealthLevel.INTERNAL))
    device_checks = checks[Area.CARD_READER] + checks[Area.RECEIPT_PRINTER]
    assert all(c.status in (Status.OK, Status.SKIPPED) for c in device_checks), device_checks
    counters = {c.area: dict(c.facts) for c in device_checks if c.name == "counters"}
    assert counters[Area.CARD_READER] == {"cards_read": 1}
    assert {c.name: c.status for c in checks[Area.PLATFORM]}["signed_ping"] is Status.OK

    printed = print_test_page(diag.devices, Area.RECEIPT_PRINTER, diag.terminal_id, NOW)
    assert printed.status is Status.OK
    receipt_counters = diag.devices.counters(Area.RECEIPT_PRINTER)
    assert receipt_counters == {}  # a technician's test slip is not a resident's job


def test_the_card_read_test_takes_the_card_from_the_reader_thread_and_no_session_starts(
    kiosk: RunningKiosk, demo: DemoEnvironment
) -> None:
    diag = diagnostics_for(kiosk.runtime, demo.log_file)
    kiosk.runtime.terminal.set_technician_present(True)
    result = on_thread("read-test", lambda: read_card_test(diag.devices, timeout_s=8.0))
    time.sleep(0.5)  # the test waits for the card on the reader's thread
    kiosk.reader.lay_card(population.richest_resident().key)
    check = result()
    assert check.status is Status.OK, check
    assert check.facts["card_type"] == "resident"
    kiosk.reader.remove_card()
    kiosk.reader.lay_card(population.DEMO_KEYS[0])  # laid again in technician mode: not read
    time.sleep(0.5)
    assert all(v.state is State.IDLE for v in _drain(kiosk))
    kiosk.runtime.terminal.set_technician_present(False)
    kiosk.reader.remove_card()
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    kiosk.wait_for(State.SHOWING)


def test_the_technician_switch_takes_the_terminal_out_of_service_and_back(
    kiosk: RunningKiosk, demo: DemoEnvironment
) -> None:
    diag = diagnostics_for(kiosk.runtime, demo.log_file)
    set_service(diag, in_service=False, reason="更换读卡器")
    kiosk.views_until(lambda v: not v.in_service)
    kiosk.reader.lay_card(population.DEMO_KEYS[0])  # not read while out of service
    time.sleep(0.5)
    assert all(v.state is State.IDLE for v in _drain(kiosk))
    set_service(diag, in_service=True)
    kiosk.views_until(lambda v: v.in_service)
    kiosk.reader.remove_card()
    kiosk.reader.lay_card(population.DEMO_KEYS[1])
    kiosk.wait_for(State.SHOWING)
    actions = [(e["action"], e.get("detail", "")) for e in kiosk.events("technician_action")]
    assert actions == [("service_off", "更换读卡器"), ("service_on", "")]


def test_the_switch_outlives_a_restart(demo: DemoEnvironment) -> None:
    settings = demo.with_session(FAST)
    first = RunningKiosk(settings, demo.cards)
    try:
        set_service(diagnostics_for(first.runtime, None), in_service=False, reason="维修")
        first.views_until(lambda v: not v.in_service)
    finally:
        first.runtime.stop()
    second = RunningKiosk(settings, demo.cards)
    try:
        second.views_until(lambda v: not v.in_service)
    finally:
        second.runtime.stop()


def _drain(kiosk: RunningKiosk) -> list[SessionView]:
    seen = []
    while True:
        try:
            seen.append(kiosk.views.get_nowait())
        except queue.Empty:
            return seen
