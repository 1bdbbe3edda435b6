"""Objections and repair guidance on the kiosk: the flow between their screens, opened from
a record of the report (``objection_requested`` / ``repair_requested``: section key, row).

The screens sit in the window's stack as sub-screens of SHOWING: the report stays in the
session's memory, 返回 goes back to it, every tap restarts the idle countdown, and the
session's time-out wipes them with everything else (``clear``). Calls to the terminal return
``Future``s; their results come back to the GUI thread as a queued signal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QWidget

from devices.printers.base import PrintResult
from devices.printers.receipt import Receipt
from kiosk import voice_prompts
from kiosk.contract import CreditReport, ObjectionReason
from kiosk.documents.objection_prints import (
    guidance_blocks,
    guidance_sheet,
    objection_blocks,
    objection_sheet,
    sheet_pdf,
    sheet_receipt,
)
from kiosk.objections import (
    OBJECTABLE_SECTIONS,
    REPAIR_SECTIONS,
    ObjectionOutcome,
    RecordRef,
    RepairOutcome,
)
from kiosk.privacy import mask_phone
from kiosk.report_model import CHINA_TIME
from ui.screens.objection import (
    ConfirmScreen,
    GuidanceScreen,
    PhoneScreen,
    ReasonScreen,
    ResultScreen,
)


class CreditServices(Protocol):
    """What the flow asks of the terminal (``kiosk.terminal.Terminal``)."""

    @property
    def terminal_id(self) -> str: ...

    def objection_reasons(self) -> Future[tuple[ObjectionReason, ...]]: ...
    def file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str
    ) -> Future[ObjectionOutcome]: ...
    def repair_guidance(self, record: RecordRef) -> Future[RepairOutcome]: ...
    def print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes]) -> Future[PrintResult]: ...
    def touch(self) -> None: ...


def failure_code(error: BaseException) -> str:
    """What a failure screen line quotes: the platform's or device's code, or the type."""
    code = getattr(error, "code", "")
    return code if isinstance(code, str) and code else type(error).__name__


class _Relay(QObject):
    """A future's outcome, delivered on the GUI thread: (callback, future). The slot is a
    method of this object (which lives on the GUI thread), so a future settled on a worker
    reaches it as a queued call."""

    done = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Future[Any]], None], future: Future[Any]) -> None:
        callback(future)

    def when_done(self, future: Future[Any], callback: Callable[[Future[Any]], None]) -> None:
        future.add_done_callback(lambda f: self.done.emit(callback, f))


class ObjectionFlow(QObject):
    """Owns the five screens (added to ``stack``) and the state of one objection."""

    finished = Signal()
    """返回报告: the window shows the report again."""
    prompted = Signal(str)
    """The voice prompt key of the screen just shown (``kiosk.voice_prompts``)."""

    def __init__(
        self,
        stack: QStackedWidget,
        services: CreditServices,
        report: Callable[[], CreditReport | None],
    ) -> None:
        super().__init__()
        self._stack = stack
        self._services = services
        self._report = report
        self._relay = _Relay()
        self.reason = ReasonScreen()
        self.phone = PhoneScreen()
        self.confirm = ConfirmScreen()
        self.result = ResultScreen()
        self.guidance = GuidanceScreen()
        self.screens: tuple[QWidget, ...] = (
            self.reason,
            self.phone,
            self.confirm,
            self.result,
            self.guidance,
        )
        for screen in self.screens:
            stack.addWidget(screen)
        self._record: RecordRef | None = None
        self._record_text = ""
        self._chosen: ObjectionReason | None = None
        self._phone = ""
        self._outcome: ObjectionOutcome | None = None
        self._repair: RepairOutcome | None = None
        self._generation = 0
        """Bumped by ``clear``: an answer for a session that has ended is dropped."""

        self.reason.chosen.connect(self._reason_chosen)
        self.reason.back.connect(self.back_to_report)
        self.phone.entered.connect(self._phone_entered)
        self.phone.back.connect(lambda: self._show(self.reason))
        self.confirm.submit.connect(self._submit)
        self.confirm.back.connect(lambda: self._show(self.phone))
        self.result.print_requested.connect(self._print_receipt)
        self.result.back.connect(self.back_to_report)
        self.guidance.print_requested.connect(self._print_guidance)
        self.guidance.back.connect(self.back_to_report)
        for key in self.phone.keys.values():
            key.clicked.connect(services.touch)

    def holds_screen(self) -> bool:
        return self._stack.currentWidget() in self.screens

    # --- opened from the report ---
    def object_to(self, section: str, row: int) -> None:
        if section not in OBJECTABLE_SECTIONS or not self._open(section, row):
            return
        self.reason.show_record(self._record_text)
        self._show(self.reason)
        self._when(self._services.objection_reasons(), self._reasons_arrived)

    def guide(self, section: str, row: int) -> None:
        if section not in REPAIR_SECTIONS or not self._open(section, row):
            return
        assert self._record is not None
        self.guidance.loading()
        self._show(self.guidance)
        self._when(self._services.repair_guidance(self._record), self._guidance_arrived)

    def _open(self, section: str, row: int) -> bool:
        report = self._report()
        if report is None or not 0 <= row < report.count(section):
            return False
        self.clear()
        self._record = RecordRef(section, row)
        self._record_text = self._record.describe(report)
        return True

    def back_to_report(self) -> None:
        self.clear()
        self.finished.emit()

    def clear(self) -> None:
        """Forget the objection under way (the phone number first)."""
        self._generation += 1
        self.phone.clear()
        self._phone = ""
        self._record = None
        self._chosen = None
        self._outcome = None
        self._repair = None

    # --- the steps ---
    def _show(self, screen: QWidget) -> None:
        self._services.touch()
        self._stack.setCurrentWidget(screen)
        key = {
            self.reason: voice_prompts.OBJECTION_REASON,
            self.phone: voice_prompts.OBJECTION_PHONE,
            self.confirm: voice_prompts.OBJECTION_CONFIRM,
            self.guidance: voice_prompts.REPAIR_GUIDANCE,
        }.get(screen)
        if screen is self.result and self._outcome is not None:
            queued = self._outcome.accepted is None
            key = voice_prompts.OBJECTION_QUEUED if queued else voice_prompts.OBJECTION_ACCEPTED
        if key is not None:
            self.prompted.emit(key)

    def _when(self, future: Future[Any], callback: Callable[[Future[Any]], None]) -> None:
        generation = self._generation

        def deliver(done: Future[Any]) -> None:
            if generation == self._generation:
                callback(done)

        self._relay.when_done(future, deliver)

    def _reasons_arrived(self, future: Future[tuple[ObjectionReason, ...]]) -> None:
        if future.exception() is not None:
            self.reason.unavailable()
        else:
            self.reason.offer(future.result())

    def _reason_chosen(self, reason: ObjectionReason) -> None:
        self._chosen = reason
        self.phone.clear()
        self._show(self.phone)

    def _phone_entered(self, phone: str) -> None:
        assert self._chosen is not None
        self._phone = phone
        self.confirm.show_request(
            self._record_text, self._chosen.label, mask_phone(phone) if phone else ""
        )
        self._show(self.confirm)

    def _submit(self) -> None:
        assert self._record is not None and self._chosen is not None
        self.confirm.busy(True)
        self._services.touch()
        future = self._services.file_objection(self._record, self._chosen, self._phone)
        self._when(future, self._filed)

    def _filed(self, future: Future[ObjectionOutcome]) -> None:
        error = future.exception()
        if error is not None:
            self.confirm.failed(failure_code(error))
            return
        outcome = self._outcome = future.result()
        self.phone.clear()  # the platform (or the sealed outbox item) has it now
        self._phone = ""
        self.result.show_result(outcome.accepted is None, objection_blocks(outcome))
        self._show(self.result)

    def _guidance_arrived(self, future: Future[RepairOutcome]) -> None:
        error = future.exception()
        if error is not None:
            self.guidance.unavailable(failure_code(error))
            return
        self._repair = future.result()
        self.guidance.show_blocks(guidance_blocks(self._repair))

    def _print_receipt(self) -> None:
        if self._outcome is not None:
            sheet = objection_sheet(self._outcome, self._services.terminal_id, _now())
            self._print(self.result, sheet_receipt(sheet), lambda: sheet_pdf(sheet))

    def _print_guidance(self) -> None:
        if self._repair is not None:
            sheet = guidance_sheet(self._repair, self._services.terminal_id, _now())
            self._print(self.guidance, sheet_receipt(sheet), lambda: sheet_pdf(sheet))

    def _print(
        self, screen: ResultScreen | GuidanceScreen, receipt: Receipt, pdf: Callable[[], bytes]
    ) -> None:
        screen.printing()
        self._services.touch()

        def printed(future: Future[PrintResult]) -> None:
            error = future.exception()
            screen.print_finished("" if error is None else failure_code(error))

        self._when(self._services.print_sheet(receipt, pdf), printed)


def _now() -> dt.datetime:
    return dt.datetime.now(CHINA_TIME)
