"""Technician mode on the screen: the PIN pad and the technician's panel in the window's
stack, when they come and go, and the panel's frame (title, areas, 退出维护).

The panel shows one area at a time (``ui.screens.technician_areas``); any touch on it counts
against the idle timeout, after which the mode leaves by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.diagnostics.checks import AREA_TITLES, Area, Check, Question
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import DEVICE_AREAS
from kiosk.diagnostics.terminal_checks import set_service
from kiosk.session import SessionView, State
from kiosk.technician import CornerTaps, Gate, Phase, PinOutcome, PinResult
from ui.screens.technician_checks import AreaPage
from ui.screens.technician_devices import DevicePage, DeviceTestsPage, KeptJobsPage, SummaryPage
from ui.screens.technician_pin import PinPadScreen
from ui.screens.technician_system import OutboxPage, PlatformPage, TerminalPage
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.widgets import button, card, centered, label

log = logging.getLogger(__name__)

REFUSAL_SHOWN_S = 10.0
"""How long the pad says it is locked (or has no PIN) before the attract screen returns."""
NO_PERSONAL_DATA = (State.IDLE, State.DONE, State.FAILED)


def resident_present(view: SessionView | None) -> bool:
    """A resident's session holds personal data (a card read, a report on screen, a print)."""
    return view is not None and view.state not in NO_PERSONAL_DATA


class QuestionBox(QWidget):
    """An INTERACTIVE check's question and its two answers, in place of the area while the
    check waits for them."""

    answered = Signal()

    def __init__(self) -> None:
        super().__init__()
        box = card("warnCard")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(40, 30, 40, 30)
        inner.setSpacing(30)
        self.title = centered(text.QUESTION_TITLE, "warnTitle")
        self.question = centered("", "prompt")
        self.yes = button("", "primary")
        self.no = button("")
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        row = QHBoxLayout()
        row.setSpacing(30)
        row.addStretch(1)
        row.addWidget(self.yes)
        row.addWidget(self.no)
        row.addStretch(1)
        inner.addWidget(self.title)
        inner.addWidget(self.question)
        inner.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        layout.addStretch(1)
        self._answer_to: Future[bool] | None = None

    def ask(self, question: Question, answer: Future[bool]) -> None:
        self.question.setText(question.text)
        self.yes.setText(question.yes)
        self.no.setText(question.no)
        self._answer_to = answer

    def _answer(self, yes: bool) -> None:
        if self._answer_to is not None and not self._answer_to.done():
            self._answer_to.set_result(yes)
        self._answer_to = None
        self.answered.emit()


class TechnicianPanel(QWidget):
    """The frame around the areas: a column of area buttons, the area, the service switch
    and 退出维护."""

    exit_requested = Signal()
    touched = Signal()

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__()
        self.desk = desk
        self.nav_buttons: dict[str, QPushButton] = {}
        self.areas = QStackedWidget()
        self.pages: dict[str, AreaPage] = {}
        self.nav = QVBoxLayout()
        self.nav.setSpacing(4)
        self.service = button(text.SERVICE_OFF)
        self.service.clicked.connect(self._switch_service)
        self.service_off: bool | None = None
        """The technician's out-of-service switch as last read (None: not yet)."""
        self.exit = button(text.EXIT, "primary")
        self.exit.clicked.connect(self.exit_requested)
        self.question = QuestionBox()
        self.question.answered.connect(self._answered)
        desk.asked.connect(self._ask)
        top = QHBoxLayout()
        top.addWidget(label(text.MODE_TITLE, "title", wrap=False))
        top.addStretch(1)
        top.addWidget(self.service)
        top.addWidget(self.exit)
        body = QHBoxLayout()
        body.setSpacing(30)
        nav_column = QVBoxLayout()
        nav_column.addLayout(self.nav)
        nav_column.addStretch(1)
        body.addLayout(nav_column)
        body.addWidget(self.areas, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(30, 8, 30, 8)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.areas.addWidget(self.question)
        self._asking: QWidget | None = None

        self.summary = SummaryPage(desk)
        self.summary.open_area.connect(self.show_area)
        self.add_area("summary", text.AREA_SUMMARY, self.summary)
        for area in DEVICE_AREAS:
            self.add_area(area.value, AREA_TITLES[area], DevicePage(desk, area))
        self.add_area("tests", text.AREA_TESTS, DeviceTestsPage(desk))
        self.add_area("kept_jobs", text.AREA_KEPT_JOBS, KeptJobsPage(desk))
        self.add_area(Area.PLATFORM.value, AREA_TITLES[Area.PLATFORM], PlatformPage(desk))
        self.add_area(Area.OUTBOX.value, AREA_TITLES[Area.OUTBOX], OutboxPage(desk))
        self.add_area(Area.TERMINAL.value, text.AREA_TERMINAL, TerminalPage(desk))

    def add_area(self, key: str, caption: str, page: AreaPage) -> None:
        nav = button(caption, "navItem")
        nav.setMinimumWidth(250)
        nav.clicked.connect(lambda _=False, k=key: self.show_area(k))
        self.nav.addWidget(nav)
        self.nav_buttons[key] = nav
        self.pages[key] = page
        self.areas.addWidget(page)

    def show_area(self, key: str) -> None:
        for name, nav in self.nav_buttons.items():
            nav.setObjectName("navCurrent" if name == key else "navItem")
            nav.style().unpolish(nav)
            nav.style().polish(nav)
        page = self.pages[key]
        if self._asking is None:  # an open question keeps the screen until answered
            self.areas.setCurrentWidget(page)
            page.refresh()

    def _ask(self, question: Question, answer: Future[bool]) -> None:
        self._asking = self.areas.currentWidget()
        self.question.ask(question, answer)
        self.areas.setCurrentWidget(self.question)

    def _answered(self) -> None:
        if self._asking is not None:
            self.areas.setCurrentWidget(self._asking)
        self._asking = None

    def set_portrait(self, portrait: bool) -> None:
        self.summary.set_portrait(portrait)

    def open(self) -> None:
        """Technician mode opened: the summary, checked afresh, no results from before."""
        for page in self.pages.values():
            page.show_result(None)
        self._asking = None
        self._read_service()
        self.show_area("summary")

    def _read_service(self) -> None:
        diag = self.desk.diagnostics()
        if diag is not None and diag.service is not None:
            self.desk.run(self._service_read, diag.service.is_off)

    def _service_read(self, future: Future[bool]) -> None:
        if future.exception() is None:
            self.service_off = future.result()
            self.service.setText(text.SERVICE_ON if self.service_off else text.SERVICE_OFF)

    def _switch_service(self) -> None:
        diag = self.desk.diagnostics()
        if diag is None:
            return
        self.service.setEnabled(False)
        self.desk.run(self._service_switched, _set_service, diag, bool(self.service_off))

    def _service_switched(self, future: Future[Check]) -> None:
        self.service.setEnabled(True)
        error = future.exception()
        if error is not None:
            log.error("switching the service failed", exc_info=error)
            return
        check = future.result()
        if "in_service" in check.facts:
            self.service_off = not check.facts["in_service"]
            self.service.setText(text.SERVICE_ON if self.service_off else text.SERVICE_OFF)
        page = self.areas.currentWidget()
        if isinstance(page, AreaPage):
            page.show_result(check)
            page.refresh()

    def showEvent(self, event: object) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def hideEvent(self, event: object) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.touched.emit()
        return False


def _set_service(diag: Diagnostics, in_service: bool) -> Check:
    return set_service(diag, in_service, text.SERVICE_OFF_REASON)


class TechnicianScreens(QObject):
    """The PIN pad and the panel, added to the window's ``stack``; ``back`` shows what the
    residents' side should show now (the window's own ``apply`` of its last view)."""

    def __init__(
        self,
        stack: QStackedWidget,
        desk: TechnicianDesk,
        back: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.desk = desk
        self._stack = stack
        self._back = back
        self._clock = clock
        self._taps = CornerTaps()
        self._refusal_ends: float | None = None
        self.pad = PinPadScreen()
        self.panel = TechnicianPanel(desk)
        stack.addWidget(self.pad)
        stack.addWidget(self.panel)
        self.pad.submitted.connect(desk.check_pin)
        self.pad.cancelled.connect(self._close_pad)
        desk.pin_checked.connect(self._pin_checked)
        self.panel.exit_requested.connect(self.leave)
        self.panel.touched.connect(desk.mode.touch)

    def tap(self, x: float, y: float, view: SessionView | None) -> None:
        """A press on the window outside any button; the fifth in the corner opens the pad."""
        if not self._taps.tap(x, y, self._clock()):
            return
        gate = self.desk.mode.gesture(resident_present(view))
        if gate in (Gate.RESIDENT_PRESENT, Gate.OPEN):
            return  # a resident is at the kiosk (or the technician is in): nothing to do
        if gate is Gate.PIN_PAD:
            self._refusal_ends = None
            self.pad.ask()
        else:
            self._refusal_ends = self._clock() + REFUSAL_SHOWN_S
            if gate is Gate.LOCKED:
                self.pad.show_locked(self.desk.mode.locked_for())
            else:
                self.pad.refuse(text.PIN_NOT_CONFIGURED)
        self._stack.setCurrentWidget(self.pad)

    def holds_screen(self, view: SessionView) -> bool:
        """Whether a technician screen stays in front of the session's new ``view``. The pad
        gives way to a resident who lays a card; the open mode reads no resident's card."""
        current = self._stack.currentWidget()
        if current is self.panel:
            return True
        if current is self.pad and not resident_present(view):
            return True
        if current is self.pad:
            self.desk.mode.cancel_pin()
        return False

    def idle_left(self) -> float | None:
        """Seconds until technician mode (or the pad) leaves by itself; None when closed."""
        if self.desk.mode.expire():
            self._close()
            return None
        if self._refusal_ends is not None and self._clock() >= self._refusal_ends:
            self._close_pad()
            return None
        if self._stack.currentWidget() not in (self.pad, self.panel):
            return None
        return self.desk.mode.idle_left()

    def leave(self) -> None:
        self.desk.mode.leave()
        self._close()

    def _close_pad(self) -> None:
        self._refusal_ends = None
        self.desk.mode.cancel_pin()
        if self._stack.currentWidget() is self.pad:
            self._close()

    def _close(self) -> None:
        self._refusal_ends = None
        self.desk.drop_questions()
        if self._stack.currentWidget() in (self.pad, self.panel):
            self._back()

    def _pin_checked(self, outcome: PinOutcome | Exception) -> None:
        if self._stack.currentWidget() is not self.pad:
            return  # the pad closed meanwhile
        if isinstance(outcome, Exception):
            self.desk.mode.cancel_pin()
            self._close()
        elif outcome.result is PinResult.ENTERED:
            self._stack.setCurrentWidget(self.panel)
            self.panel.open()
        elif outcome.result is PinResult.WRONG:
            self.pad.ask(text.PIN_WRONG.format(tries=outcome.tries_left))
        elif outcome.result is PinResult.LOCKED:
            self._refusal_ends = self._clock() + REFUSAL_SHOWN_S
            self.pad.show_locked(outcome.locked_for_s)
        elif outcome.result is PinResult.RESIDENT_PRESENT:
            self._refusal_ends = self._clock() + REFUSAL_SHOWN_S
            self.pad.refuse(text.PIN_RESIDENT)
        else:
            self._close()

    @property
    def is_open(self) -> bool:
        return self.desk.mode.phase is Phase.OPEN
