"""The resident chooses how to print: A4 report, receipt, or both."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.session import PrintKind
from ui.strings import report as text
from ui.widgets import button, card, centered


class PrintChoiceScreen(QWidget):
    chosen = Signal(object)  # frozenset[PrintKind]
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.options = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.options.setSpacing(30)
        self.choices = []
        for caption, note, kinds in (
            (text.CHOOSE_A4, text.CHOOSE_A4_NOTE, frozenset({PrintKind.A4})),
            (text.CHOOSE_RECEIPT, text.CHOOSE_RECEIPT_NOTE, frozenset({PrintKind.RECEIPT})),
        ):
            box = card()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(30, 30, 30, 30)
            inner.setSpacing(20)
            choose = button(caption, "primary")
            choose.setMinimumHeight(140)
            choose.clicked.connect(lambda _=False, k=kinds: self.chosen.emit(k))
            inner.addWidget(choose)
            self.choices.append(choose)
            inner.addWidget(centered(note, "muted"))
            self.options.addWidget(box)
        self.both = button(text.CHOOSE_BOTH)
        self.both.clicked.connect(lambda: self.chosen.emit(frozenset(PrintKind)))
        self.cancel = button(text.CANCEL)
        self.cancel.clicked.connect(self.cancelled)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.both)
        row.addWidget(self.cancel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.setSpacing(40)
        layout.addStretch(1)
        layout.addWidget(centered(text.CHOOSE_TITLE, "title"))
        layout.addLayout(self.options)
        layout.addLayout(row)
        layout.addStretch(2)

    def set_portrait(self, portrait: bool) -> None:
        self.options.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
