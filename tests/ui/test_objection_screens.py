"""pytest-qt through each objection and repair-guidance screen, opened from the report's
signals (as the report's row details will emit them) over a fake terminal."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from devices.printers.base import PrintResult
from devices.printers.receipt import Receipt, Text
from kiosk.contract import ObjectionAccepted, ObjectionReason, RepairRule
from kiosk.objections import ObjectionOutcome, RecordRef, RepairOutcome
from kiosk.platform.client import PlatformUnavailable
from kiosk.session import SessionView, State
from tests.reports import make_report
from tests.ui.fakes import FakeActions
from ui.screens.objection import masked_entry
from ui.strings import objection as text
from ui.window import KioskWindow

REPORT = make_report(2)
REASONS = (
    ObjectionReason("wrong_information", "信息错误"),
    ObjectionReason("fulfilled", "已履行/已整改"),
    ObjectionReason("not_me", "非本人"),
    ObjectionReason("other", "其他"),
)
AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


def _done(value: Any = None, error: BaseException | None = None) -> Future[Any]:
    future: Future[Any] = Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


class FakeTerminal(FakeActions):
    """Answers at once; ``queue_objections``: as if the platform were unreachable."""

    terminal_id = "XT-UI-1"

    def __init__(self) -> None:
        super().__init__()
        self.queue_objections = False
        self.rule: RepairRule | None = None
        self.receipts: list[Receipt] = []

    def objection_reasons(self) -> Future[tuple[ObjectionReason, ...]]:
        return _done(REASONS)

    def file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str
    ) -> Future[ObjectionOutcome]:
        self.calls.append(("object", (record, reason.code, phone)))
        accepted = (
            None
            if self.queue_objections
            else ObjectionAccepted("YY20261124000001", dt.date(2026, 12, 9), "accepted")
        )
        masked = f"{phone[:3]}****{phone[-4:]}" if phone else ""
        return _done(
            ObjectionOutcome(
                REPORT.report_no,
                record.describe(REPORT),
                reason.label,
                masked,
                "AB12",
                AT,
                accepted,
            )
        )

    def repair_guidance(self, record: RecordRef) -> Future[RepairOutcome]:
        return _done(RepairOutcome(REPORT.report_no, record.describe(REPORT), self.rule))

    def print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes]) -> Future[PrintResult]:
        self.receipts.append(receipt)
        assert pdf().startswith(b"%PDF")  # the A4 fallback builds too
        return _done(PrintResult("job-1", True))


@pytest.fixture
def terminal() -> FakeTerminal:
    return FakeTerminal()


@pytest.fixture
def window(qtbot: QtBot, terminal: FakeTerminal) -> KioskWindow:
    w = KioskWindow(terminal, "新泰市政务服务中心", credit=terminal)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    w.apply(SessionView(1, State.SHOWING, time.monotonic() + 30, report=REPORT, holder_name="甲"))
    return w


def _texts(widget: QWidget) -> str:
    QApplication.processEvents()  # widgets added to a shown screen are shown on the next turn
    return "\n".join(label.text() for label in widget.findChildren(QLabel) if not label.isHidden())


def _receipt_text(receipt: Receipt) -> str:
    return "\n".join(e.text for e in receipt.elements if isinstance(e, Text))


def _type(window: KioskWindow, digits: str) -> None:
    assert window.objection is not None
    for digit in digits:
        window.objection.phone.keys[digit].click()


def test_objection_online_through_every_screen(
    qtbot: QtBot, window: KioskWindow, terminal: FakeTerminal
) -> None:
    flow = window.objection
    assert flow is not None
    window.report.objection_requested.emit("admin_penalty", 1)
    qtbot.waitUntil(lambda: len(flow.reason.reason_buttons) == 4)
    assert window.stack.currentWidget() is flow.reason
    assert "行政处罚 第2条：admin_penalty-1-行政处罚决定书文号" in _texts(flow.reason)
    assert [b.text() for b in flow.reason.reason_buttons][:1] == ["信息错误"]
    assert all(b.height() >= 80 for b in flow.reason.reason_buttons)
    flow.reason.reason_buttons[2].click()
    assert window.stack.currentWidget() is flow.phone

    _type(window, "2381234")  # not a mobile number: refused with a message
    flow.phone.next.click()
    assert window.stack.currentWidget() is flow.phone
    assert flow.phone.error.text() == text.PHONE_INVALID
    flow.phone.clear_button.click()
    _type(window, "138123456789")  # the 12th digit is not taken
    assert flow.phone.digits == "13812345678"
    assert flow.phone.display.text() == "138****5678"
    assert [masked_entry("1381234"[:n]) for n in (3, 5, 7)] == ["138", "138**", "138****"]
    flow.phone.delete.click()
    _type(window, "9")
    flow.phone.next.click()

    assert window.stack.currentWidget() is flow.confirm
    shown = _texts(flow.confirm)
    assert "联系电话：138****5679" in shown and "13812345679" not in shown
    assert "异议理由：非本人" in shown
    flow.confirm.submit_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is flow.result)
    assert ("object", (RecordRef("admin_penalty", 1), "not_me", "13812345679")) in terminal.calls
    result = _texts(flow.result)
    assert "受理编号：YY20261124000001" in result and "答复期限：2026年12月9日前" in result
    assert flow.phone.digits == "", "the phone is forgotten once filed"

    flow.result.print.click()
    qtbot.waitUntil(lambda: flow.result.status.text() == text.PRINTED)
    printed = _receipt_text(terminal.receipts[-1])
    assert "受理编号：YY20261124000001" in printed and "138****5679" in printed
    assert "13812345679" not in printed
    assert ("end", None) not in terminal.calls, "printing the receipt keeps the session"
    flow.result.back_button.click()
    assert window.stack.currentWidget() is window.report


def test_offline_objection_says_queued_plainly(
    qtbot: QtBot, window: KioskWindow, terminal: FakeTerminal
) -> None:
    flow = window.objection
    assert flow is not None
    terminal.queue_objections = True
    window.report.objection_requested.emit("black_list", 0)
    qtbot.waitUntil(lambda: bool(flow.reason.reason_buttons))
    flow.reason.reason_buttons[0].click()
    flow.phone.skip.click()
    assert "联系电话：未填写" in _texts(flow.confirm)
    flow.confirm.submit_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is flow.result)
    assert flow.result.headline.text() == text.QUEUED_TITLE
    assert text.QUEUED_PLAIN in _texts(flow.result)
    flow.result.print.click()
    qtbot.waitUntil(lambda: flow.result.status.text() == text.PRINTED)
    assert "已受理，待上传" in _receipt_text(terminal.receipts[-1])


def test_a_failed_submission_stays_on_the_confirm_screen_with_its_code(
    qtbot: QtBot, window: KioskWindow, terminal: FakeTerminal
) -> None:
    flow = window.objection
    assert flow is not None
    terminal.file_objection = lambda *a: _done(  # type: ignore[method-assign]
        error=PlatformUnavailable("OUTBOX_FULL", "disk full")
    )
    window.report.objection_requested.emit("honors", 0)
    qtbot.waitUntil(lambda: bool(flow.reason.reason_buttons))
    flow.reason.reason_buttons[3].click()
    flow.phone.skip.click()
    flow.confirm.submit_button.click()
    qtbot.waitUntil(lambda: "OUTBOX_FULL" in flow.confirm.status.text())
    assert window.stack.currentWidget() is flow.confirm


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            RepairRule(
                "repairable",
                "一般失信行为",
                dt.date(2025, 3, 1),
                "",
                ("信用修复申请书",),
                ("“信用中国”网站在线申请",),
            ),
            ["可以申请信用修复", "信用修复申请书", "“信用中国”网站在线申请"],
        ),
        (
            RepairRule("not_yet", "严重失信行为", dt.date(2026, 5, 10)),
            ["暂不能申请信用修复，2026年5月10日起可以申请", "请咨询窗口"],
        ),
        (
            RepairRule("not_repairable", "失信被执行人", reason="由人民法院在履行后移出。"),
            ["不适用信用修复", "由人民法院在履行后移出。"],
        ),
        (None, ["信用平台未提供该记录的修复规则，请咨询窗口。"]),
    ],
    ids=["repairable", "not-yet", "not-repairable", "none-sent"],
)
def test_repair_guidance_shows_and_prints_what_the_platform_sent(
    qtbot: QtBot,
    window: KioskWindow,
    terminal: FakeTerminal,
    rule: RepairRule | None,
    expected: list[str],
) -> None:
    flow = window.objection
    assert flow is not None
    terminal.rule = rule
    window.report.repair_requested.emit("admin_penalty", 0)
    qtbot.waitUntil(lambda: flow.guidance.print.isEnabled())
    assert window.stack.currentWidget() is flow.guidance
    shown = _texts(flow.guidance)
    for line in expected:
        assert line in shown
    flow.guidance.print.click()
    qtbot.waitUntil(lambda: flow.guidance.status.text() == text.PRINTED)
    printed = _receipt_text(terminal.receipts[-1])
    assert "信用修复指引" in printed and all(line in printed for line in expected)
    flow.guidance.back_button.click()
    assert window.stack.currentWidget() is window.report


def test_the_session_ending_wipes_the_screens_and_the_phone(
    qtbot: QtBot, window: KioskWindow
) -> None:
    flow = window.objection
    assert flow is not None
    window.report.objection_requested.emit("admin_penalty", 0)
    qtbot.waitUntil(lambda: bool(flow.reason.reason_buttons))
    flow.reason.reason_buttons[0].click()
    _type(window, "1381234")
    window.apply(SessionView(1, State.SHOWING, time.monotonic() + 30, report=REPORT))
    assert window.stack.currentWidget() is flow.phone, "a touch keeps the sub-screen"
    window.apply(SessionView(1, State.IDLE, None))
    assert window.stack.currentWidget() is window.attract
    assert flow.phone.digits == "" and flow.phone.display.text() == text.PHONE_EMPTY


def test_answers_settled_on_a_worker_reach_the_screens_on_the_gui_thread(
    qtbot: QtBot, window: KioskWindow, terminal: FakeTerminal
) -> None:
    flow = window.objection
    assert flow is not None
    threads: list[bool] = []
    late: Future[tuple[ObjectionReason, ...]] = Future()
    terminal.objection_reasons = lambda: late  # type: ignore[method-assign]
    offer = flow.reason.offer

    def offered(reasons: tuple[ObjectionReason, ...]) -> None:
        app = QApplication.instance()
        assert app is not None
        threads.append(QThread.currentThread() is app.thread())
        offer(reasons)

    flow.reason.offer = offered  # type: ignore[method-assign]
    window.report.objection_requested.emit("admin_penalty", 0)
    worker = threading.Thread(target=late.set_result, args=(REASONS,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(flow.reason.reason_buttons) == 4)
    assert threads == [True]
