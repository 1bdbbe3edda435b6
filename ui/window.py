"""The kiosk window: header, the current screen, and a footer with the countdown (only
where the resident reads; never while the machine works) and 呼叫工作人员."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk import voice_prompts
from kiosk.config import DEFAULT_CONSENT_TEXT, ResidentSettings
from kiosk.privacy import mask_name
from kiosk.report_model import CHINA_TIME
from kiosk.session import RESIDENT_READS, PrintKind, SessionView, State
from ui import theme
from ui.bridge import SessionBridge
from ui.camera_frames import CameraFrame
from ui.demo_panel import DemoCardControl, DemoPanel
from ui.objection import CreditServices, ObjectionFlow
from ui.screens.attract import AttractScreen
from ui.screens.consent import ConsentScreen
from ui.screens.face_check import FaceCheckScreen, FaceConsentScreen
from ui.screens.out_of_service import OutOfServiceScreen
from ui.screens.outcome import DoneScreen, FailureScreen
from ui.screens.print_choice import PrintChoiceScreen
from ui.screens.print_paused import PrintPausedScreen
from ui.screens.progress import ProgressScreen
from ui.screens.prompts import card_away_screen, exit_screen, still_there_screen
from ui.screens.publicity import PublicityScreen
from ui.screens.report import ReportScreen
from ui.screens.technician import TechnicianScreens
from ui.screens.uscc_entry import UsccEntryScreen
from ui.strings import access as access_text
from ui.strings import common, flow
from ui.strings import technician as technician_text
from ui.technician import TechnicianDesk
from ui.voice import ELDER_MIN_VOLUME, NoVoice, Voice, prompt_for
from ui.widgets import button, centered, label

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class TerminalActions(Protocol):
    def print_report(self, kinds: frozenset[PrintKind]) -> None: ...
    def end_session(self) -> None: ...
    def touch(self) -> None: ...
    def choose_enterprise(self, chosen: bool) -> None: ...
    def enter_enterprise_code(self, uscc: str) -> None: ...

    def give_consent(self) -> None: ...
    def refuse_consent(self) -> None: ...
    def call_staff(self, screen: str) -> None: ...

    def set_elder(self, on: bool) -> None: ...
    def consent_to_face_check(self) -> None: ...
    def refuse_face_check(self) -> None: ...


class KioskServices(TerminalActions, CreditServices, Protocol):
    """Everything the window's screens ask of the terminal (the terminal, or ``ui.app.Core``)."""


PUBLICITY_IDLE_S = 60.0
STAFF_CALLED_S = 60.0
"""How long "已通知工作人员，请稍候" stays in the footer."""
WORKING = frozenset({State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING})
"""The machine works: no countdown is shown."""


class KioskWindow(QWidget):
    painted = Signal()
    """After every paint of the window: start-up and latency measurements listen to it."""
    staff_called = Signal()
    """呼叫工作人员 was pressed (the staff alert is queued): the chime listens to it."""
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
        credit: CreditServices | None = None,
        consent_text: str = DEFAULT_CONSENT_TEXT,
        resident: ResidentSettings | None = None,
        voice: Voice | None = None,
        face_attempts: int = 3,
    ) -> None:
        """``technician``: technician mode (five taps in the top-left corner); None: none.
        ``credit``: objections and repair guidance from a report's records; None: none.
        ``service_window``: the hall's window failures and help point to (e.g. "3号窗口").
        ``resident``: voice volume, print guidance (default settings when None); ``voice``:
        the prompt player (None: silent). ``face_attempts``: the face check's attempts
        (``[face_check] attempts``)."""
        super().__init__()
        self.setObjectName("root")
        self.setWindowTitle(common.APP_TITLE)
        self.setStyleSheet(theme.stylesheet())
        self._actions = actions
        self._clock = clock
        self.view: SessionView | None = None
        self.elder = False
        """长辈模式 is on (the session's flag, see ``apply``); a screen that defines
        ``set_elder(on)`` is told when it changes (the report shows fewer rows)."""
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

        self.service_window = service_window or flow.SERVICE_WINDOW
        self.attract = AttractScreen(hall_name, service_window)
        self.progress = ProgressScreen()
        self.consent = ConsentScreen(consent_text)
        self.report = ReportScreen(service_window)
        self.print_choice = PrintChoiceScreen(self._resident)
        self.print_paused = PrintPausedScreen()
        self.publicity = PublicityScreen()
        self.done = DoneScreen()
        self.failure = FailureScreen(service_window)
        self.uscc_entry = UsccEntryScreen()
        self.face_consent = FaceConsentScreen(service_window)
        self.face_check = FaceCheckScreen(face_attempts)
        self.out_of_service = OutOfServiceScreen(service_window)
        self.still_there, self.still_there_need = still_there_screen()
        self.card_away = card_away_screen()
        self.exit_prompt, self.exit_confirm, self.exit_cancel = exit_screen()
        self.stack = QStackedWidget()
        # Not the largest page's minimum (the technician's PIN pad) plus the footer's 呼叫工作人员,
        # which is not shown with it: that sum is taller than a 1080 p screen. Each page is
        # checked to fit as it is shown (tests/ui/test_layout.py).
        self.stack.setMinimumSize(1, 1)
        self._screen_names: dict[QWidget, str] = {
            self.attract: "attract",
            self.progress: "progress",
            self.consent: "consent",
            self.report: "report",
            self.print_choice: "print_choice",
            self.publicity: "publicity",
            self.done: "done",
            self.failure: "failure",
            self.out_of_service: "out_of_service",
            self.still_there: "still_there",
            self.card_away: "card_away",
            self.exit_prompt: "exit_prompt",
            self.uscc_entry: "enterprise_code",
            self.print_paused: "print_paused",
            self.face_consent: "face_consent",
            self.face_check: "face_check",
        }
        """What a staff alert says the resident saw."""
        for screen in self._screen_names:
            self.stack.addWidget(screen)
        self._reading_page: QWidget = self.report
        """Where SHOWING returns to after a prompt: the report or the print choice."""
        self._exit_asked = False
        self.consent.agreed.connect(actions.give_consent)
        self.consent.refused.connect(actions.refuse_consent)
        self.report.print_requested.connect(self._choose_print)
        self.print_choice.chosen.connect(actions.print_report)
        self.print_choice.cancelled.connect(self._cancel_print)
        self.report.exit_requested.connect(self._ask_exit)
        self.exit_confirm.clicked.connect(self._confirm_exit)
        self.exit_cancel.clicked.connect(self._cancel_exit)
        self.still_there_need.clicked.connect(actions.touch)
        self.print_paused.exit_requested.connect(self._ask_exit)
        self.attract.elder.clicked.connect(self._toggle_elder)
        self.report.touched.connect(actions.touch)
        self.done.home_requested.connect(actions.end_session)
        self.failure.home_requested.connect(actions.end_session)
        self.face_consent.agreed.connect(actions.consent_to_face_check)
        self.face_consent.refused.connect(actions.refuse_face_check)
        self.attract.publicity.clicked.connect(self._open_publicity)
        self.attract.enterprise_chosen.connect(actions.choose_enterprise)
        self.attract.enterprise_chosen.connect(
            lambda chosen: self.voice.play(voice_prompts.ENTERPRISE_CHOSEN) if chosen else None
        )
        self.uscc_entry.confirmed.connect(actions.enter_enterprise_code)
        self.uscc_entry.back_requested.connect(actions.end_session)
        self.uscc_entry.touched.connect(actions.touch)
        self.publicity.home_requested.connect(self._close_publicity)
        self.publicity.touched.connect(self._touch_publicity)
        self._publicity_deadline: float | None = None
        self.objection: ObjectionFlow | None = None
        if credit is not None:
            objection = self.objection = ObjectionFlow(
                self.stack, credit, lambda: self.view.report if self.view else None
            )
            self.report.objection_requested.connect(objection.object_to)
            self.report.repair_requested.connect(objection.guide)
            objection.finished.connect(self._back_to_report)
            objection.prompted.connect(lambda key: self.voice.play(key))
        self._face_attempt_shown = (0, 0)
        self.technician = (
            TechnicianScreens(self.stack, technician, self._back_from_technician, clock)
            if technician is not None
            else None
        )

        footer = QFrame()
        footer.setObjectName("footer")
        # the demo's controls beside the footer's, under them in portrait (no room across)
        self.footer_rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, footer)
        self.footer_rows.setContentsMargins(36, 10, 36, 10)
        footer_row = QHBoxLayout()
        demo_row = QHBoxLayout()
        self.footer_rows.addLayout(footer_row, 1)
        self.footer_rows.addLayout(demo_row)
        self.countdown = label("", "countdown", wrap=False)
        footer_row.addWidget(self.countdown)
        footer_row.addStretch(1)
        # above the footer, across the window: the footer row has no room left in portrait
        self.staff_note = centered("", "badgeGood")
        self.staff_note.hide()
        self.call_staff = button(flow.CALL_STAFF)
        self.call_staff.clicked.connect(self._call_staff)
        footer_row.addWidget(self.call_staff)
        self._staff_note_until: float | None = None
        # only on a resident's screen: technician mode has its own footer text
        self.stack.currentChanged.connect(
            lambda _: self.call_staff.setVisible(self.stack.currentWidget() in self._screen_names)
        )
        self.demo_panel: DemoPanel | None = None
        if demo is not None:
            panel = self.demo_panel = DemoPanel(self, demo, demo_cards, demo_outage)
            demo_row.addStretch(1)
            demo_row.addWidget(label(common.DEMO_BADGE, "demoBadge", wrap=False))
            self.demo_open = button(common.DEMO_OPEN, "demo")
            self.demo_open.clicked.connect(lambda: panel.open_over(self.stack))
            demo_row.addWidget(self.demo_open)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.staff_note)
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
        if self.objection is not None and state is not State.SHOWING:
            self.objection.clear()
        self.attract.show_card_on_reader(view.card_on_reader)
        if state not in (State.SHOWING, State.PRINT_PAUSED):
            self._reading_page = self.report
            self._exit_asked = False
        if state is not State.FACE_CHECK:
            self.face_check.clear()
        if state is State.IDLE and not view.in_service:
            self.report.clear()
            self.stack.setCurrentWidget(self.out_of_service)
        elif state is State.IDLE:
            self.report.clear()
            self.uscc_entry.reset()  # what the last resident typed goes with the session
            self.attract.show_enterprise_choice(view.enterprise)
            if self.stack.currentWidget() is not self.publicity:
                self.stack.setCurrentWidget(self.attract)
        elif state in WORKING:
            if state is State.PRINTING:
                self.report.clear()
            self.progress.show_state(state)
            self.stack.setCurrentWidget(self.progress)
        elif state in RESIDENT_READS and (view.card_away or view.asking):
            if state is State.SHOWING and view.report is not None:
                self.report.show_report(view.report, mask_name(view.holder_name))
            self.stack.setCurrentWidget(self.card_away if view.card_away else self.still_there)
        elif state is State.CONSENT:
            self.consent.show_identity_check(view.face_check)
            self.stack.setCurrentWidget(self.consent)
        elif state is State.ENTERPRISE_CODE:
            self.stack.setCurrentWidget(self.uscc_entry)
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
            if self.objection is None or not self.objection.holds_screen():
                page = self.exit_prompt if self._exit_asked else self._reading_page
                self.stack.setCurrentWidget(page)
        elif state is State.PRINT_PAUSED:
            self.report.clear()
            self.stack.setCurrentWidget(self.exit_prompt if self._exit_asked else self.print_paused)
        elif state is State.DONE:
            self.stack.setCurrentWidget(self.done)
        elif state is State.FAILED and view.failure is not None:
            self.report.clear()
            self.failure.show_failure(view.failure, view.card_on_reader)
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
        if prompt_for(before, self._platform_available) != prompt_for(
            view, self._platform_available
        ) or (before.state, before.failure, before.face_attempt) != (
            view.state,
            view.failure,
            view.face_attempt,
        ):
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

    def show_camera_frame(self, frame: CameraFrame) -> None:
        """A face check's live frame; dropped unless the face check screen shows."""
        if self.stack.currentWidget() is self.face_check:
            self.face_check.show_frame(frame)

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
        self._reading_page = self.print_choice
        self.stack.setCurrentWidget(self.print_choice)
        printable = self.view.printable if self.view is not None else frozenset()
        self.voice.play(voice_prompts.PRINT_CHOICE if printable else voice_prompts.NOTHING_PRINTS)

    def _back_to_report(self) -> None:
        self._actions.touch()
        self.stack.setCurrentWidget(self.report)

    def _cancel_print(self) -> None:
        self._actions.touch()
        self._reading_page = self.report
        self.stack.setCurrentWidget(self.report)

    def _ask_exit(self) -> None:
        """退出 on the report or a paused print: all is wiped only once the resident confirms."""
        self._actions.touch()
        self._exit_asked = True
        self.stack.setCurrentWidget(self.exit_prompt)
        self.voice.play(voice_prompts.CONFIRM_EXIT)
        self._tick()

    def _confirm_exit(self) -> None:
        self._exit_asked = False
        self._actions.end_session()

    def _cancel_exit(self) -> None:
        self._exit_asked = False
        self._actions.touch()
        paused = self.view is not None and self.view.state is State.PRINT_PAUSED
        self.stack.setCurrentWidget(self.print_paused if paused else self._reading_page)
        self._tick()

    def _call_staff(self) -> None:
        current = self.stack.currentWidget()
        screen = self._screen_names.get(current, "other") if current else "other"
        self._actions.call_staff(screen)
        self.staff_note.setText(flow.STAFF_CALLED.format(window=self.service_window))
        self.staff_note.show()
        self._staff_note_until = self._clock() + STAFF_CALLED_S
        self.voice.play(voice_prompts.STAFF_CALLED)
        self.staff_called.emit()

    def _tick(self) -> None:
        now = dt.datetime.now(CHINA_TIME)
        self.header_clock.setText(now.strftime("%H:%M:%S"))
        if self.stack.currentWidget() is self.attract:
            self.attract.tick(now)
        deadline = self.view.deadline if self.view else None
        technician_left = self.technician.idle_left() if self.technician else None
        if self._staff_note_until is not None and self._staff_note_until <= self._clock():
            self._staff_note_until = None
            self.staff_note.hide()
        if technician_left is not None:
            seconds = int(technician_left + 0.999)
            self.countdown.setText(technician_text.IDLE_COUNTDOWN.format(seconds=seconds))
            return
        if self.stack.currentWidget() is self.publicity:
            deadline = self._publicity_deadline
            if deadline is not None and deadline <= self._clock():
                self._close_publicity()
                return
        seconds = 0 if deadline is None else max(0, int(deadline - self._clock() + 0.999))
        for prompt in (self.still_there, self.card_away):
            prompt.show_seconds(seconds)
        working = self.view is not None and self.view.state in WORKING
        prompting = self.stack.currentWidget() in (self.still_there, self.card_away)
        if deadline is None or working or prompting:
            self.countdown.setText("")  # a prompt shows its own countdown, large
        else:
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
        self.uscc_entry.set_portrait(portrait)
        self.footer_rows.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        if self.technician is not None:
            self.technician.set_portrait(portrait)
        super().resizeEvent(event)

    def show_kiosk(self) -> None:
        """Full screen; on a bare X server with no window manager, size it by hand too."""
        screen = self.screen()
        self.setGeometry(screen.geometry())
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.showFullScreen()
