"""长辈模式 asks before 退出 ends the session: an accidental touch must not wipe the report."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ui.strings import access as text
from ui.widgets import button, card, centered


class ConfirmExitScreen(QWidget):
    confirmed = Signal()
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(36)
        inner.addWidget(centered(text.CONFIRM_EXIT_TITLE, "title"))
        inner.addWidget(centered(text.CONFIRM_EXIT_MESSAGE, "subtitle"))
        self.stay = button(text.CONFIRM_EXIT_NO, "primary")
        self.stay.clicked.connect(self.cancelled)
        self.leave = button(text.CONFIRM_EXIT_YES)
        self.leave.clicked.connect(self.confirmed)
        row = QHBoxLayout()
        row.setSpacing(40)
        row.addStretch(1)
        row.addWidget(self.stay)
        row.addWidget(self.leave)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.addStretch(1)
        layout.addWidget(box)
        layout.addSpacing(40)
        layout.addLayout(row)
        layout.addStretch(2)
