"""Every technician screen with the real results of the diagnostics over a running core:
simulated devices (healthy, or with scripted faults), the sandbox platform (up or down), the
outbox and the state directory. Actions are recorded as technician_action items."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from devices.printers.kept_jobs import KeptJobStore
from kiosk.config import Settings, device_settings, read_secret
from kiosk.contract import DeviceFault
from kiosk.demo import DemoEnvironment
from kiosk.diagnostics.checks import Area, Check, Status
from kiosk.diagnostics.context import KEPT_JOBS_DIR
from kiosk.documents.technician_prints import build_test_page_pdf
from kiosk.platform.outbox_items import enqueue
from sandbox import population
from tests.clock import FakeClock
from tests.ui.technician_harness import Kiosk, current, enter, start_kiosk, wait_for_actions
from ui.screens.technician_checks import AreaPage
from ui.screens.technician_devices import DevicePage, DeviceTestsPage, KeptJobsPage, SummaryPage
from ui.screens.technician_panel import TechnicianPanel
from ui.screens.technician_system import OutboxPage, PlatformPage, TerminalPage
from ui.strings import technician as text

CHECKS_S = 20_000
"""ms a page's checks may take on a loaded machine (the platform steps, a test print)."""


def panel_of(kiosk: Kiosk) -> TechnicianPanel:
    assert kiosk.window.technician is not None
    return kiosk.window.technician.panel


def open_area(qtbot: QtBot, kiosk: Kiosk, key: str) -> AreaPage:
    panel = panel_of(kiosk)
    qtbot.mouseClick(panel.nav_buttons[key], Qt.MouseButton.LeftButton)
    page = panel.pages[key]
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    return page


def shown(page: AreaPage) -> dict[str, Check]:
    return {check.name: check for check in page.checks.shown}


def wait_for_summary(qtbot: QtBot, kiosk: Kiosk) -> SummaryPage:
    summary = panel_of(kiosk).summary
    qtbot.waitUntil(lambda: summary.status is not None, timeout=CHECKS_S)
    return summary


def test_the_summary_is_green_when_everything_is_healthy(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    summary = wait_for_summary(qtbot, kiosk)
    assert summary.status is Status.OK, [c for c in summary.checks.shown if c.status]
    assert summary.verdict.text() == text.ALL_HEALTHY
    assert summary.banner.objectName() == "doneCard"
    assert {c.area for c in summary.checks.shown} == set(Area) - {Area.CAMERA}  # no face check


@pytest.fixture
def faulty_kiosk(
    qtbot: QtBot, settings: Settings, wall: FakeClock, demo: DemoEnvironment
) -> Iterator[Kiosk]:
    """The receipt printer out of paper from the start."""
    receipt = device_settings(
        "receipt_printer",
        "simulated",
        {"output_dir": str(demo.printed_dir), "faults": ["paper_out_after_job:0"]},
    )
    k = start_kiosk(qtbot, replace(settings, receipt_printer=receipt), wall)
    yield k
    k.stop()


def test_a_printer_out_of_paper_turns_the_summary_red_and_its_area_says_why(
    qtbot: QtBot, faulty_kiosk: Kiosk
) -> None:
    enter(qtbot, faulty_kiosk)
    summary = wait_for_summary(qtbot, faulty_kiosk)
    assert summary.status is Status.FAIL
    assert summary.banner.objectName() == "errorCard"
    failing = {c.area for c in summary.checks.shown if c.status is Status.FAIL}
    assert failing == {Area.RECEIPT_PRINTER}

    page = open_area(qtbot, faulty_kiosk, Area.RECEIPT_PRINTER.value)
    checks = shown(page)
    assert checks["sensors"].status is Status.FAIL and "缺纸" in checks["sensors"].summary
    assert checks["sensors"].facts["paper"] == "out"
    assert checks["driver"].facts["driver"] == "simulated"
    assert checks["counters"].status is Status.OK  # counted by the running terminal

    tests = open_area(qtbot, faulty_kiosk, "tests")
    assert isinstance(tests, DeviceTestsPage)
    qtbot.mouseClick(tests.receipt, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tests.busy and bool(tests.checks.shown), timeout=CHECKS_S)
    (result,) = tests.checks.shown
    assert result.status is Status.FAIL and "缺纸" in result.summary


def test_the_interactive_check_asks_with_buttons(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    page = open_area(qtbot, kiosk, Area.DOCUMENT_PRINTER.value)
    assert isinstance(page, DevicePage)
    panel = panel_of(kiosk)
    qtbot.mouseClick(page.interactive, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.areas.currentWidget() is panel.question, timeout=CHECKS_S)
    assert "自检页" in panel.question.question.text()
    qtbot.mouseClick(panel.question.no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    assert panel.areas.currentWidget() is page
    interactive = shown(page)["health_interactive"]
    assert interactive.status is Status.FAIL and interactive.summary == "技术员确认：有问题"
    wait_for_actions(qtbot, kiosk, ["entered", "check_document_printer"])


def test_leaving_mid_question_ends_the_check_without_an_answer(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    page = open_area(qtbot, kiosk, Area.RECEIPT_PRINTER.value)
    assert isinstance(page, DevicePage)
    panel = panel_of(kiosk)
    qtbot.mouseClick(page.interactive, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.areas.currentWidget() is panel.question, timeout=CHECKS_S)
    qtbot.mouseClick(panel.exit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    assert page.checks.note.text() == text.NO_ANSWER
    assert current(kiosk) is kiosk.window.attract


def test_test_prints_and_the_card_read_test(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    enter(qtbot, kiosk)
    tests = open_area(qtbot, kiosk, "tests")
    assert isinstance(tests, DeviceTestsPage)
    before = set(demo.printed_dir.glob("*"))
    for action in (tests.receipt, tests.a4):
        qtbot.mouseClick(action, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not tests.busy, timeout=CHECKS_S)
    results = {c.area: c for c in tests.checks.shown}
    assert results[Area.RECEIPT_PRINTER].status is Status.OK
    assert results[Area.DOCUMENT_PRINTER].status is Status.OK
    assert len(set(demo.printed_dir.glob("*")) - before) >= 2

    reader = kiosk.runtime.terminal.devices.reader
    reader.cards.update({c.key: c.card for c in demo.cards})  # type: ignore[attr-defined]
    qtbot.mouseClick(tests.card, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "放到读卡区" in tests.checks.note.text())
    resident = population.richest_resident()
    reader.lay_card(resident.key)  # type: ignore[attr-defined]
    qtbot.waitUntil(
        lambda: Area.CARD_READER in {c.area for c in tests.checks.shown}, timeout=CHECKS_S
    )
    read = next(c for c in tests.checks.shown if c.area is Area.CARD_READER)
    assert read.status is Status.OK
    number = resident.card().id_number
    assert read.facts["id_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert resident.card().name not in read.summary  # masked
    assert kiosk.window.view is not None and kiosk.window.view.state.value == "idle"
    wait_for_actions(
        qtbot, kiosk, ["entered", "test_print_receipt", "test_print_a4", "read_card_test"]
    )


def test_kept_jobs_are_listed_and_cancelled(qtbot: QtBot, kiosk: Kiosk, settings: Settings) -> None:
    store = KeptJobStore(
        settings.terminal.state_dir / KEPT_JOBS_DIR, read_secret(settings.terminal.secret_file)
    )
    job, _ = store.keep(build_test_page_pdf("XT-T", dt.datetime.now(dt.UTC)), "kept report")
    enter(qtbot, kiosk)
    page = open_area(qtbot, kiosk, "kept_jobs")
    assert isinstance(page, KeptJobsPage)
    assert shown(page)["kept_jobs"].status is Status.WARN
    qtbot.mouseClick(page.cancel_buttons[job.id], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and job.id not in page.cancel_buttons, timeout=CHECKS_S)
    assert shown(page)["kept_jobs"].status is Status.OK
    assert store.jobs() == []
    wait_for_actions(qtbot, kiosk, ["entered", "cancel_kept_job"])


def test_a_dead_letter_is_requeued_from_the_outbox_area(qtbot: QtBot, kiosk: Kiosk) -> None:
    outbox = kiosk.runtime.outbox
    key = enqueue(
        outbox,
        DeviceFault(code="x", message="m", hint="h", at=dt.datetime.now(dt.UTC)),
    )
    outbox.move_to_dead_letter(key, "REJECTED: the platform refused it")
    enter(qtbot, kiosk)
    page = open_area(qtbot, kiosk, Area.OUTBOX.value)
    assert isinstance(page, OutboxPage)
    assert shown(page)["dead_letters"].status is Status.FAIL
    qtbot.mouseClick(page.requeue_buttons[key], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and key not in page.requeue_buttons, timeout=CHECKS_S)
    assert shown(page)["dead_letters"].status is Status.OK
    assert key in {item.idempotency_key for item in outbox.peek(1000)}
    qtbot.mouseClick(page.retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    wait_for_actions(qtbot, kiosk, ["entered", "requeue_dead_letter", "retry_outbox"])


def test_the_platform_area_names_the_failing_step(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    enter(qtbot, kiosk)
    page = open_area(qtbot, kiosk, Area.PLATFORM.value)
    assert isinstance(page, PlatformPage)
    assert shown(page)["signed_ping"].status is Status.OK
    demo.set_outage(True)
    try:
        qtbot.mouseClick(page.again, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
        checks = shown(page)
        assert checks["tcp"].status is Status.OK
        assert checks["signed_ping"].status is Status.FAIL
    finally:
        demo.set_outage(False)


def test_the_terminal_area_shows_the_masked_log_tail(
    qtbot: QtBot, kiosk: Kiosk, settings: Settings
) -> None:
    log_file = settings.terminal.state_dir / "kiosk.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        logging.getLogger("test").info("card 370902199001011234 read")  # a number to mask
        enter(qtbot, kiosk)
        page = open_area(qtbot, kiosk, Area.TERMINAL.value)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    assert isinstance(page, TerminalPage)
    checks = shown(page)
    assert checks["service"].status is Status.OK and checks["disk"].status is Status.OK
    log_text = page.log.toPlainText()
    assert "technician mode entered" in log_text
    assert "370902199001011234" not in log_text and "3709**********1234" in log_text


def test_out_of_service_and_back(qtbot: QtBot, kiosk: Kiosk) -> None:
    enter(qtbot, kiosk)
    panel = panel_of(kiosk)
    qtbot.waitUntil(lambda: panel.service_off is False)
    qtbot.mouseClick(panel.service, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.service.text() == text.SERVICE_ON, timeout=CHECKS_S)
    qtbot.mouseClick(panel.exit, Qt.MouseButton.LeftButton)
    window = kiosk.window
    qtbot.waitUntil(lambda: current(kiosk) is window.out_of_service, timeout=5000)

    enter(qtbot, kiosk)
    qtbot.waitUntil(lambda: panel.service_off is True)
    qtbot.mouseClick(panel.service, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.service.text() == text.SERVICE_OFF, timeout=CHECKS_S)
    qtbot.mouseClick(panel.exit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: current(kiosk) is window.attract, timeout=5000)
    wait_for_actions(
        qtbot, kiosk, ["entered", "service_off", "left", "entered", "service_on", "left"]
    )


def test_device_checks_run_on_the_devices_threads_never_on_the_gui_thread(
    qtbot: QtBot, kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    printer = kiosk.runtime.terminal.devices.receipt_printer
    status = printer.status

    def watched_status() -> Any:
        seen.append(threading.current_thread().name)
        return status()

    monkeypatch.setattr(printer, "status", watched_status)
    enter(qtbot, kiosk)
    wait_for_summary(qtbot, kiosk)
    open_area(qtbot, kiosk, Area.RECEIPT_PRINTER.value)
    assert seen and set(seen) == {"receipt-printer"}
