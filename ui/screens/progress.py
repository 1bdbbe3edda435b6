"""Waiting screens: reading the card, checking identity, fetching the report, printing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from kiosk.session import State
from ui.strings import progress as text
from ui.widgets import card, centered, label, restyle

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
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: moves on its own while we wait
        self.bar.setTextVisible(False)
        self.steps: list[QLabel] = []
        steps_row = QHBoxLayout()
        steps_row.setSpacing(20)
        for name in text.STEPS:
            step = label(name, "step", align=Qt.AlignmentFlag.AlignCenter)
            self.steps.append(step)
            steps_row.addWidget(step)
        inner.addWidget(self.message)
        inner.addWidget(self.bar)
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
