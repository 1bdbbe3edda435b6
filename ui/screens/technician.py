"""Technician mode on the screen: the PIN pad and the technician's panel in the window's
stack, and when they come and go. Only the gesture and the PIN pad are built with the
window; the panel (``ui.screens.technician_panel``) on the first entry.

Any touch on the panel counts against the idle timeout, after which the mode leaves by
itself; the pad gives way to a resident who lays a card.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStackedWidget, QWidget

from kiosk.session import SessionView, State
from kiosk.technician import CornerTaps, Gate, Phase, PinOutcome, PinResult
from ui.screens.technician_pin import PinPadScreen
from ui.strings import technician as text
from ui.technician import TechnicianDesk

if TYPE_CHECKING:  # start-up: the panel's diagnostics load requests and sqlite-utils
    from ui.screens.technician_panel import TechnicianPanel

REFUSAL_SHOWN_S = 10.0
"""How long the pad says it is locked (or has no PIN) before the attract screen returns."""
NO_PERSONAL_DATA = (State.IDLE, State.DONE, State.FAILED)


def resident_present(view: SessionView | None) -> bool:
    """A resident's session holds personal data (a card read, a report on screen, a print)."""
    return view is not None and view.state not in NO_PERSONAL_DATA


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
        stack.addWidget(self.pad)
        self.pad.submitted.connect(desk.check_pin)
        self.pad.cancelled.connect(self._close_pad)
        desk.pin_checked.connect(self._pin_checked)
        self._panel: TechnicianPanel | None = None
        self._portrait = False

    @property
    def panel(self) -> TechnicianPanel:
        """Built on first use (the first entry)."""
        if self._panel is None:
            # start-up: loaded only now, never before the kiosk's first frame
            from ui.screens.technician_panel import TechnicianPanel

            panel = self._panel = TechnicianPanel(self.desk)
            panel.set_portrait(self._portrait)
            self._stack.addWidget(panel)
            panel.exit_requested.connect(self.leave)
            panel.touched.connect(self.desk.mode.touch)
        return self._panel

    def set_portrait(self, portrait: bool) -> None:
        self._portrait = portrait
        if self._panel is not None:
            self._panel.set_portrait(portrait)

    def _showing(self) -> QWidget | None:
        """The technician screen showing (the pad or the panel); None: a resident's screen."""
        current = self._stack.currentWidget()
        return current if current is self.pad or current is self._panel else None

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
        if self._panel is not None and current is self._panel:
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
        if self._showing() is None:
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
        if self._showing() is not None:
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
