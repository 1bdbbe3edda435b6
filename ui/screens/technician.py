"""Technician mode on the screen: the PIN pad and the technician's panel in the window's
stack, when they come and go, and the panel's frame (title, areas, 退出维护).

The panel shows one area at a time (``ui.screens.technician_areas``); any touch on it counts
against the idle timeout, after which the mode leaves by itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.session import SessionView, State
from kiosk.technician import CornerTaps, Gate, Phase, PinOutcome, PinResult
from ui.screens.technician_pin import PinPadScreen
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.widgets import button, label

REFUSAL_SHOWN_S = 10.0
"""How long the pad says it is locked (or has no PIN) before the attract screen returns."""
NO_PERSONAL_DATA = (State.IDLE, State.DONE, State.FAILED)


def resident_present(view: SessionView | None) -> bool:
    """A resident's session holds personal data (a card read, a report on screen, a print)."""
    return view is not None and view.state not in NO_PERSONAL_DATA


class TechnicianPanel(QWidget):
    """The frame around the areas: a column of area buttons, the area, 退出维护."""

    exit_requested = Signal()
    touched = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.area_buttons: dict[str, QPushButton] = {}
        self.areas = QStackedWidget()
        self._area_widgets: dict[str, QWidget] = {}
        self.nav = QVBoxLayout()
        self.nav.setSpacing(12)
        self.exit = button(text.EXIT, "primary")
        self.exit.clicked.connect(self.exit_requested)
        self.idle = label("", "muted", wrap=False)
        top = QHBoxLayout()
        top.addWidget(label(text.MODE_TITLE, "title", wrap=False))
        top.addStretch(1)
        top.addWidget(self.idle)
        top.addSpacing(24)
        top.addWidget(self.exit)
        body = QHBoxLayout()
        body.setSpacing(30)
        nav_column = QVBoxLayout()
        nav_column.addLayout(self.nav)
        nav_column.addStretch(1)
        body.addLayout(nav_column)
        body.addWidget(self.areas, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 20)
        layout.setSpacing(20)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    def add_area(self, key: str, caption: str, widget: QWidget) -> None:
        area = button(caption, "tile")
        area.setMinimumWidth(300)
        area.clicked.connect(lambda _=False, k=key: self.show_area(k))
        self.nav.addWidget(area)
        self.area_buttons[key] = area
        self._area_widgets[key] = widget
        self.areas.addWidget(widget)

    def show_area(self, key: str) -> None:
        for name, area in self.area_buttons.items():
            area.setObjectName("primary" if name == key else "tile")
            area.style().unpolish(area)
            area.style().polish(area)
        widget = self._area_widgets[key]
        self.areas.setCurrentWidget(widget)
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()

    def open(self) -> None:
        """Technician mode opened: the first area (the summary), checked afresh."""
        if self._area_widgets:
            self.show_area(next(iter(self._area_widgets)))

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
        self.panel = TechnicianPanel()
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
        if gate is Gate.RESIDENT_PRESENT:
            return  # a resident is at the kiosk: the gesture does nothing
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
        left = self.desk.mode.idle_left()
        self.panel.idle.setText(text.IDLE_COUNTDOWN.format(seconds=int(left + 0.999)))
        return left

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
