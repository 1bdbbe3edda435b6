"""The resident chooses how to print: A4 report, receipt, or both; a printer whose last
health check failed is shown but cannot be chosen."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.session import PrintKind
from ui.strings import report as text
from ui.widgets import button, card, centered

_NOTES = {PrintKind.A4: text.CHOOSE_A4_NOTE, PrintKind.RECEIPT: text.CHOOSE_RECEIPT_NOTE}


class PrintChoiceScreen(QWidget):
    chosen = Signal(object)  # frozenset[PrintKind]
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.options = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.options.setSpacing(30)
        self.choices: dict[PrintKind, QPushButton] = {}
        self.notes: dict[PrintKind, QLabel] = {}
        for caption, kinds in (
            (text.CHOOSE_A4, frozenset({PrintKind.A4})),
            (text.CHOOSE_RECEIPT, frozenset({PrintKind.RECEIPT})),
        ):
            box = card()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(30, 30, 30, 30)
            inner.setSpacing(20)
            choose = button(caption, "primary")
            choose.setMinimumHeight(140)
            choose.clicked.connect(lambda _=False, k=kinds: self.chosen.emit(k))
            inner.addWidget(choose)
            (kind,) = kinds
            self.choices[kind] = choose
            self.notes[kind] = centered(_NOTES[kind], "muted")
            inner.addWidget(self.notes[kind])
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

    def offer(self, printable: frozenset[PrintKind]) -> None:
        """Only ``printable`` kinds can be chosen; the others say they are out of order."""
        for kind, choose in self.choices.items():
            choose.setEnabled(kind in printable)
            self.notes[kind].setText(_NOTES[kind] if kind in printable else text.UNAVAILABLE)
        self.both.setEnabled(printable == frozenset(PrintKind))

    def set_portrait(self, portrait: bool) -> None:
        self.options.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
