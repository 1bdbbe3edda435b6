"""Waiting screens: reading the card, checking identity, fetching the report, printing.

The machine is working: no countdown, and a busy indicator that goes round (it measures
nothing, so it must not look like a bar filling up)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.session import State
from ui import theme
from ui.strings import progress as text
from ui.widgets import card, centered, label, restyle

DOTS = 12
TURN_MS = 1200


class BusyIndicator(QWidget):
    """A ring of dots with one bright dot going round: "working", never "how far"."""

    def __init__(self) -> None:
        super().__init__()
        self.setFixedSize(theme.TOUCH_PX * 2, theme.TOUCH_PX * 2)
        self.step = 0
        self.timer = QTimer(self)
        self.timer.setInterval(TURN_MS // DOTS)
        self.timer.timeout.connect(self._turn)

    def _turn(self) -> None:
        self.step = (self.step + 1) % DOTS
        self.update()

    def showEvent(self, event: object) -> None:
        self.timer.start()

    def hideEvent(self, event: object) -> None:
        self.timer.stop()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        centre = QPointF(self.width() / 2, self.height() / 2)
        radius = min(self.width(), self.height()) / 2 - 16
        for index in range(DOTS):
            behind = (self.step - index) % DOTS  # 0: the bright one
            colour = QColor(theme.BLUE)
            colour.setAlphaF(max(0.15, 1.0 - behind / 6))
            painter.setBrush(colour)
            angle = 2 * math.pi * index / DOTS - math.pi / 2
            dot = centre + QPointF(math.cos(angle), math.sin(angle)) * radius
            painter.drawEllipse(dot, 12, 12)
        painter.end()


_MESSAGES = {
    State.READING: text.READING,
    State.AUTHENTICATING: text.AUTHENTICATING,
    State.FETCHING: text.FETCHING,
    State.PRINTING: text.PRINTING,
}
_STEP_OF = {State.READING: 0, State.AUTHENTICATING: 1, State.FETCHING: 2}


class ProgressScreen(QWidget):
    def __init__(self) -> None:
        super().__init__()
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(40)
        self.message = centered("", "title")
        self.busy = BusyIndicator()
        self.steps: list[QLabel] = []
        steps_row = QHBoxLayout()
        steps_row.setSpacing(20)
        for name in text.STEPS:
            step = label(name, "step", align=Qt.AlignmentFlag.AlignCenter)
            self.steps.append(step)
            steps_row.addWidget(step)
        inner.addWidget(self.message)
        inner.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addLayout(steps_row)
        inner.addWidget(centered(text.HINT, "muted"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.addStretch(1)
        layout.addWidget(box)
        layout.addStretch(2)

    def show_state(self, state: State) -> None:
        self.message.setText(_MESSAGES[state])
        current = _STEP_OF.get(state)
        for index, step in enumerate(self.steps):
            step.setVisible(current is not None)
            done = current is not None and index <= current
            step.setEnabled(done)
            restyle(step, "step" if done else "stepPending")
