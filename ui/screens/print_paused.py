"""A print stopped for paper out: the report is kept and the print resumes by itself once
staff load paper; the resident may wait or leave (退出 wipes)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.strings import access as text
from ui.strings import common
from ui.widgets import button, card, card_above_buttons, centered


class PrintPausedScreen(QWidget):
    exit_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        box = card("warnCard")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(36)
        inner.addWidget(centered(text.PAUSED_TITLE, "warnTitle"))
        inner.addWidget(centered(text.PAUSED_MESSAGE, "prompt"))
        inner.addWidget(centered(text.PAUSED_NOTE, "muted"))
        self.exit = button(common.EXIT)
        self.exit.clicked.connect(self.exit_requested)
        card_above_buttons(self, box, self.exit)
