"""The technician's panel: a column of areas, the area shown, the service switch, 退出维护,
and an INTERACTIVE check's question in place of the area while it waits.

Built on the first entry into technician mode (``TechnicianScreens.panel``), when the core
and its modules are loaded anyway: the diagnostics it shows load requests and sqlite-utils,
which must not delay the kiosk's first frame.
"""

from __future__ import annotations

import logging
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
from ui.screens.technician_checks import AreaPage
from ui.screens.technician_devices import (
    CameraPage,
    DevicePage,
    DeviceTestsPage,
    KeptJobsPage,
    SummaryPage,
)
from ui.screens.technician_system import OutboxPage, PlatformPage, TerminalPage
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.widgets import button, card, centered, label

log = logging.getLogger(__name__)


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
            if area is not Area.CAMERA:
                self.add_area(area.value, AREA_TITLES[area], DevicePage(desk, area))
        # opened from its summary tile: the navigation column is full in landscape
        self.add_page(Area.CAMERA.value, CameraPage(desk))
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
        self.add_page(key, page)

    def add_page(self, key: str, page: AreaPage) -> None:
        """An area without a button in the navigation column (its summary tile opens it)."""
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
