"""The kiosk window: header, the current screen, and a footer with the countdown."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.privacy import mask_name
from kiosk.report_model import CHINA_TIME
from kiosk.session import PrintKind, SessionView, State
from ui import theme
from ui.bridge import SessionBridge
from ui.camera_frames import CameraFrame
from ui.demo_panel import DemoCardControl, DemoPanel
from ui.screens.attract import AttractScreen
from ui.screens.face_check import FaceCheckScreen, FaceConsentScreen
from ui.screens.out_of_service import OutOfServiceScreen
from ui.screens.outcome import DoneScreen, FailureScreen
from ui.screens.print_choice import PrintChoiceScreen
from ui.screens.progress import ProgressScreen
from ui.screens.publicity import PublicityScreen
from ui.screens.report import ReportScreen
from ui.screens.technician import TechnicianScreens
from ui.strings import common
from ui.strings import technician as technician_text
from ui.technician import TechnicianDesk
from ui.widgets import button, label

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class TerminalActions(Protocol):
    def print_report(self, kinds: frozenset[PrintKind]) -> None: ...
    def end_session(self) -> None: ...
    def touch(self) -> None: ...
    def consent_to_face_check(self) -> None: ...
    def refuse_face_check(self) -> None: ...


PUBLICITY_IDLE_S = 60.0


class KioskWindow(QWidget):
    painted = Signal()
    """After every paint of the window: start-up and latency measurements listen to it."""
    bridge: SessionBridge
    """Set by ``ui.app.build_window``: the window keeps the bridge alive."""

    def __init__(
        self,
        actions: TerminalActions,
        hall_name: str,
        demo: DemoCardControl | None = None,
        demo_cards: Sequence[tuple[str, str]] = (),
        demo_outage: Callable[[bool], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        service_window: str = "",
        technician: TechnicianDesk | None = None,
        face_attempts: int = 3,
    ) -> None:
        """``technician``: technician mode (five taps in the top-left corner); None: none.
        ``face_attempts``: the face check's attempts (``[face_check] attempts``)."""
        super().__init__()
        self.setObjectName("root")
        self.setWindowTitle(common.APP_TITLE)
        self.setStyleSheet(theme.STYLESHEET)
        self._actions = actions
        self._clock = clock
        self.view: SessionView | None = None

        header = QFrame()
        header.setObjectName("header")
        header.setFixedHeight(96)
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(36, 0, 36, 0)
        header_row.addWidget(label(common.BRAND, "brand", wrap=False))
        header_row.addStretch(1)
        self.header_clock = label("", "headerClock", wrap=False)
        header_row.addWidget(self.header_clock)

        self.attract = AttractScreen(hall_name)
        self.progress = ProgressScreen()
        self.report = ReportScreen()
        self.print_choice = PrintChoiceScreen()
        self.publicity = PublicityScreen()
        self.done = DoneScreen()
        self.failure = FailureScreen(service_window)
        self.face_consent = FaceConsentScreen(service_window)
        self.face_check = FaceCheckScreen(face_attempts)
        self.out_of_service = OutOfServiceScreen(service_window)
        self.stack = QStackedWidget()
        for screen in (
            self.attract,
            self.progress,
            self.report,
            self.print_choice,
            self.publicity,
            self.done,
            self.failure,
            self.out_of_service,
            self.face_consent,
            self.face_check,
        ):
            self.stack.addWidget(screen)
        self.report.print_requested.connect(self._choose_print)
        self.print_choice.chosen.connect(actions.print_report)
        self.print_choice.cancelled.connect(self._cancel_print)
        self.report.exit_requested.connect(actions.end_session)
        self.report.touched.connect(actions.touch)
        self.done.home_requested.connect(actions.end_session)
        self.failure.home_requested.connect(actions.end_session)
        self.face_consent.agreed.connect(actions.consent_to_face_check)
        self.face_consent.refused.connect(actions.refuse_face_check)
        self.attract.publicity.clicked.connect(self._open_publicity)
        self.publicity.home_requested.connect(self._close_publicity)
        self.publicity.touched.connect(self._touch_publicity)
        self._publicity_deadline: float | None = None
        self._face_attempt_shown = (0, 0)
        self.technician = (
            TechnicianScreens(self.stack, technician, self._back_from_technician, clock)
            if technician is not None
            else None
        )

        footer = QFrame()
        footer.setObjectName("footer")
        footer_row = QHBoxLayout(footer)
        footer_row.setContentsMargins(36, 10, 36, 10)
        self.countdown = label("", "countdown", wrap=False)
        footer_row.addWidget(self.countdown)
        footer_row.addStretch(1)
        self.demo_panel: DemoPanel | None = None
        if demo is not None:
            panel = self.demo_panel = DemoPanel(self, demo, demo_cards, demo_outage)
            footer_row.addWidget(label(common.DEMO_BADGE, "demoBadge", wrap=False))
            self.demo_open = button(common.DEMO_OPEN, "demo")
            self.demo_open.clicked.connect(lambda: panel.open_over(self.stack))
            footer_row.addWidget(self.demo_open)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(footer)

        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._tick()

    def apply(self, view: SessionView) -> None:
        """Show the screen for the session's new state."""
        self.view = view
        if self.technician is not None and self.technician.holds_screen(view):
            self._tick()
            return
        state = view.state
        self.print_choice.offer(view.printable)
        if state is not State.FACE_CHECK:
            self.face_check.clear()
        if state is State.IDLE and not view.in_service:
            self.report.clear()
            self.stack.setCurrentWidget(self.out_of_service)
        elif state is State.IDLE:
            self.report.clear()
            if self.stack.currentWidget() is not self.publicity:
                self.stack.setCurrentWidget(self.attract)
        elif state in (State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING):
            if state is State.PRINTING:
                self.report.clear()
            self.progress.show_state(state)
            self.stack.setCurrentWidget(self.progress)
        elif state is State.FACE_CHECK and view.face_attempt == 0:
            self.stack.setCurrentWidget(self.face_consent)
        elif state is State.FACE_CHECK:
            if self.stack.currentWidget() is not self.face_check or self._face_attempt_shown != (
                view.number,
                view.face_attempt,
            ):
                self.face_check.begin_attempt(view.face_attempt)
            self._face_attempt_shown = (view.number, view.face_attempt)
            self.stack.setCurrentWidget(self.face_check)
        elif state is State.SHOWING and view.report is not None:
            self.report.show_report(view.report, mask_name(view.holder_name))
            if self.stack.currentWidget() is not self.print_choice:
                self.stack.setCurrentWidget(self.report)
        elif state is State.DONE:
            self.stack.setCurrentWidget(self.done)
        elif state is State.FAILED and view.failure is not None:
            self.report.clear()
            self.failure.show_failure(view.failure)
            self.stack.setCurrentWidget(self.failure)
        self._tick()

    def show_camera_frame(self, frame: CameraFrame) -> None:
        """A face check's live frame; dropped unless the face check screen shows."""
        if self.stack.currentWidget() is self.face_check:
            self.face_check.show_frame(frame)

    def apply_platform(self, status: PlatformStatus) -> None:
        """The platform came or went, or fresh public content arrived."""
        self.attract.show_platform(status)
        self.publicity.show_status(status)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A press no button took (the header, a label): perhaps the technician's gesture."""
        if self.technician is not None:
            position = event.position()
            self.technician.tap(position.x(), position.y(), self.view)
        super().mousePressEvent(event)

    def _back_from_technician(self) -> None:
        self.stack.setCurrentWidget(self.attract)
        if self.view is not None:
            self.apply(self.view)
        self._tick()

    def _open_publicity(self) -> None:
        if self.stack.currentWidget() is self.attract:
            self.stack.setCurrentWidget(self.publicity)
            self._touch_publicity()
            self._tick()

    def _touch_publicity(self) -> None:
        self._publicity_deadline = self._clock() + PUBLICITY_IDLE_S

    def _close_publicity(self) -> None:
        self._publicity_deadline = None
        if self.stack.currentWidget() is self.publicity:
            self.stack.setCurrentWidget(self.attract)
        self._tick()

    def _choose_print(self) -> None:
        self._actions.touch()
        self.stack.setCurrentWidget(self.print_choice)

    def _cancel_print(self) -> None:
        self._actions.touch()
        self.stack.setCurrentWidget(self.report)

    def _tick(self) -> None:
        now = dt.datetime.now(CHINA_TIME)
        self.header_clock.setText(now.strftime("%H:%M:%S"))
        if self.stack.currentWidget() is self.attract:
            self.attract.tick(now)
        deadline = self.view.deadline if self.view else None
        technician_left = self.technician.idle_left() if self.technician else None
        if technician_left is not None:
            seconds = int(technician_left + 0.999)
            self.countdown.setText(technician_text.IDLE_COUNTDOWN.format(seconds=seconds))
            return
        if self.stack.currentWidget() is self.publicity:
            deadline = self._publicity_deadline
            if deadline is not None and deadline <= self._clock():
                self._close_publicity()
                return
        if deadline is None:
            self.countdown.setText("")
        else:
            seconds = max(0, int(deadline - self._clock() + 0.999))
            self.countdown.setText(common.COUNTDOWN.format(seconds=seconds))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        portrait = event.size().height() > event.size().width()
        self.attract.set_portrait(portrait)
        self.report.set_portrait(portrait)
        self.print_choice.set_portrait(portrait)
        self.face_check.set_portrait(portrait)
        if self.technician is not None:
            self.technician.set_portrait(portrait)
        super().resizeEvent(event)

    def show_kiosk(self) -> None:
        """Full screen; on a bare X server with no window manager, size it by hand too."""
        screen = self.screen()
        self.setGeometry(screen.geometry())
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.showFullScreen()
