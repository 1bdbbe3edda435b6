"""The kiosk window: header, the current screen, and a footer with the countdown."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk import voice_prompts
from kiosk.config import ResidentSettings
from kiosk.privacy import mask_name
from kiosk.report_model import CHINA_TIME
from kiosk.session import PrintKind, SessionView, State
from ui import theme
from ui.bridge import SessionBridge
from ui.demo_panel import DemoCardControl, DemoPanel
from ui.screens.attract import AttractScreen
from ui.screens.confirm_exit import ConfirmExitScreen
from ui.screens.out_of_service import OutOfServiceScreen
from ui.screens.outcome import DoneScreen, FailureScreen
from ui.screens.print_choice import PrintChoiceScreen
from ui.screens.print_paused import PrintPausedScreen
from ui.screens.progress import ProgressScreen
from ui.screens.publicity import PublicityScreen
from ui.screens.report import ReportScreen
from ui.screens.technician import TechnicianScreens
from ui.strings import access as access_text
from ui.strings import common
from ui.strings import technician as technician_text
from ui.technician import TechnicianDesk
from ui.voice import ELDER_MIN_VOLUME, NoVoice, Voice, prompt_for
from ui.widgets import button, label

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class TerminalActions(Protocol):
    def print_report(self, kinds: frozenset[PrintKind]) -> None: ...
    def end_session(self) -> None: ...
    def touch(self) -> None: ...
    def set_elder(self, on: bool) -> None: ...


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
        resident: ResidentSettings | None = None,
        voice: Voice | None = None,
    ) -> None:
        """``technician``: technician mode (five taps in the top-left corner); None: none.
        ``resident``: voice volume, print guidance (default settings when None); ``voice``:
        the prompt player (None: silent)."""
        super().__init__()
        self.setObjectName("root")
        self.setWindowTitle(common.APP_TITLE)
        self.setStyleSheet(theme.stylesheet())
        self._actions = actions
        self._clock = clock
        self.view: SessionView | None = None
        self.elder = False
        """长辈模式 is on (the session's flag, see ``apply``); screens may read it, e.g. for
        ``theme.rows_per_page``, or define ``set_elder(on)`` to be told when it changes."""
        self._resident = resident or ResidentSettings()
        self.voice: Voice = voice or NoVoice()
        self.voice.set_volume(self._resident.voice_volume)
        self._platform_available = True

        header = QFrame()
        header.setObjectName("header")
        header.setFixedHeight(96)
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(36, 0, 36, 0)
        header_row.addWidget(label(common.BRAND, "brand", wrap=False))
        header_row.addStretch(1)
        self.volume = button("", "volume")  # in the header: a footer this tall would not fit
        self.volume.clicked.connect(self._next_volume)
        self._show_volume()
        header_row.addWidget(self.volume)
        header_row.addSpacing(36)
        self.header_clock = label("", "headerClock", wrap=False)
        header_row.addWidget(self.header_clock)

        self.attract = AttractScreen(hall_name)
        self.progress = ProgressScreen()
        self.report = ReportScreen()
        self.print_choice = PrintChoiceScreen(self._resident)
        self.print_paused = PrintPausedScreen()
        self.confirm_exit = ConfirmExitScreen()
        self.publicity = PublicityScreen()
        self.done = DoneScreen()
        self.failure = FailureScreen()
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
            self.print_paused,
            self.confirm_exit,
        ):
            self.stack.addWidget(screen)
        self.report.print_requested.connect(self._choose_print)
        self.print_choice.chosen.connect(actions.print_report)
        self.print_choice.cancelled.connect(self._cancel_print)
        self.report.exit_requested.connect(self._exit_requested)
        self.print_paused.exit_requested.connect(self._exit_requested)
        self.confirm_exit.confirmed.connect(actions.end_session)
        self.confirm_exit.cancelled.connect(self._stay)
        self._before_confirm: QWidget | None = None
        self._confirm_state: State | None = None
        self.attract.elder.clicked.connect(self._toggle_elder)
        self.report.touched.connect(actions.touch)
        self.done.home_requested.connect(actions.end_session)
        self.failure.home_requested.connect(actions.end_session)
        self.attract.publicity.clicked.connect(self._open_publicity)
        self.publicity.home_requested.connect(self._close_publicity)
        self.publicity.touched.connect(self._touch_publicity)
        self._publicity_deadline: float | None = None
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
        before, self.view = self.view, view
        if self.technician is not None and self.technician.holds_screen(view):
            self._tick()
            return
        state = view.state
        self.print_choice.offer(view.printable, view.a4_pages)
        if self.stack.currentWidget() is self.confirm_exit and state is self._confirm_state:
            pass  # 退出 asked for confirmation: the answer decides the screen
        elif state is State.IDLE and not view.in_service:
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
        elif state is State.SHOWING and view.report is not None:
            self.report.show_report(view.report, mask_name(view.holder_name))
            if self.stack.currentWidget() is not self.print_choice:
                self.stack.setCurrentWidget(self.report)
        elif state is State.PRINT_PAUSED:
            self.report.clear()
            self.stack.setCurrentWidget(self.print_paused)
        elif state is State.DONE:
            self.stack.setCurrentWidget(self.done)
        elif state is State.FAILED and view.failure is not None:
            self.report.clear()
            self.failure.show_failure(view.failure)
            self.stack.setCurrentWidget(self.failure)
        self._follow_session(before, view)  # after the screen: a report left is cleared by now
        self._tick()

    def _follow_session(self, before: SessionView | None, view: SessionView) -> None:
        """长辈模式 and the voice follow the session: a new state speaks its prompt; the
        end of a session puts the volume back to the configured one."""
        if view.elder is not self.elder:
            self._set_elder(view.elder)
        if before is None:
            return  # start-up: nobody is at the kiosk to hear the attract prompt
        ended = view.state is State.IDLE and before.state is not State.IDLE
        if ended:
            self.voice.set_volume(self._resident.voice_volume)
            self._show_volume()
        if before.state is not view.state or before.failure != view.failure:
            key = prompt_for(view, self._platform_available)
            if key is not None:
                self.voice.play(key)

    def _set_elder(self, on: bool) -> None:
        self.elder = on
        self.setStyleSheet(theme.stylesheet(on))
        self.attract.set_elder(on)
        for index in range(self.stack.count()):
            set_elder = getattr(self.stack.widget(index), "set_elder", None)
            if callable(set_elder) and self.stack.widget(index) is not self.attract:
                set_elder(on)
        if on:
            self.voice.set_volume(max(self.voice.level, ELDER_MIN_VOLUME))  # voice on
            self._show_volume()
            self.voice.play(voice_prompts.ELDER_ON)

    def _toggle_elder(self) -> None:
        self._actions.set_elder(not self.elder)

    def _next_volume(self) -> None:
        self._actions.touch()
        self.voice.set_volume((self.voice.level + 1) % len(access_text.VOLUME_LEVELS))
        self._show_volume()

    def _show_volume(self) -> None:
        level = access_text.VOLUME_LEVELS[self.voice.level]
        self.volume.setText(access_text.VOLUME.format(level=level))

    def _exit_requested(self) -> None:
        """退出: at once, or in 长辈模式 after a confirmation."""
        if not self.elder:
            self._actions.end_session()
            return
        self._before_confirm = self.stack.currentWidget()
        self._confirm_state = self.view.state if self.view is not None else None
        self._actions.touch()
        self.stack.setCurrentWidget(self.confirm_exit)
        self.voice.play(voice_prompts.CONFIRM_EXIT)

    def _stay(self) -> None:
        self._actions.touch()
        if self._before_confirm is not None:
            self.stack.setCurrentWidget(self._before_confirm)

    def apply_platform(self, status: PlatformStatus) -> None:
        """The platform came or went, or fresh public content arrived."""
        self._platform_available = status.available is not False
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
        printable = self.view.printable if self.view is not None else frozenset()
        self.voice.play(voice_prompts.PRINT_CHOICE if printable else voice_prompts.NOTHING_PRINTS)

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
        if self.technician is not None:
            self.technician.set_portrait(portrait)
        super().resizeEvent(event)

    def show_kiosk(self) -> None:
        """Full screen; on a bare X server with no window manager, size it by hand too."""
        screen = self.screen()
        self.setGeometry(screen.geometry())
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.showFullScreen()
