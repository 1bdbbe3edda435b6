"""The resident chooses how to print. Only printers whose last health check was ok are
offered; each choice says what the print is for, how long it takes and where it comes out;
when nothing can print the screen says so plainly."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.config import ResidentSettings
from kiosk.session import PrintKind
from ui.strings import access as text
from ui.widgets import button, card, centered


def duration(seconds: float) -> str:
    """A print's time as a resident reads it: 约 15 秒, 约 2 分钟 (rounded up)."""
    if seconds < 60:
        return text.SECONDS.format(n=max(5, 5 * math.ceil(seconds / 5)))
    return text.MINUTES.format(n=math.ceil(seconds / 60))


class PrintChoiceScreen(QWidget):
    chosen = Signal(object)  # frozenset[PrintKind]
    cancelled = Signal()

    def __init__(self, guide: ResidentSettings | None = None) -> None:
        super().__init__()
        self._guide = guide or ResidentSettings()
        self.options = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.options.setSpacing(30)
        self.boxes: dict[PrintKind, QFrame] = {}
        self.choices: dict[PrintKind, QPushButton] = {}
        self.purposes: dict[PrintKind, QLabel] = {}
        self.takes: dict[PrintKind, QLabel] = {}
        for kind, caption in ((PrintKind.A4, text.A4), (PrintKind.RECEIPT, text.RECEIPT)):
            box = self.boxes[kind] = card()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(30, 30, 30, 30)
            inner.setSpacing(20)
            choose = self.choices[kind] = button(caption, "primary")
            choose.setMinimumHeight(140)
            choose.clicked.connect(lambda _=False, k=kind: self.chosen.emit(frozenset({k})))
            self.purposes[kind] = centered("", "subtitle")
            self.takes[kind] = centered("", "muted")
            inner.addWidget(choose)
            inner.addWidget(self.purposes[kind])
            inner.addWidget(self.takes[kind])
            self.options.addWidget(box)
        self.title = centered(text.A4, "title")
        self.nothing = centered(text.NOTHING_PRINTS, "subtitle")
        self.both = button(text.BOTH)
        self.both.clicked.connect(lambda: self.chosen.emit(frozenset(PrintKind)))
        self.cancel = button(text.BACK_TO_REPORT)
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
        layout.addWidget(self.title)
        layout.addWidget(self.nothing)
        layout.addLayout(self.options)
        layout.addLayout(row)
        layout.addStretch(2)
        self.offer(frozenset(), None)

    def offer(self, printable: frozenset[PrintKind], a4_pages: int | None) -> None:
        """Offer only ``printable`` kinds; ``a4_pages``: the A4 report's pages, once known."""
        guide = self._guide
        for kind, box in self.boxes.items():
            box.setVisible(kind in printable)
        if a4_pages is None:
            self.purposes[PrintKind.A4].setText(text.A4_FOR_COUNTING)
            a4_s = guide.a4_first_page_s
        else:
            self.purposes[PrintKind.A4].setText(text.A4_FOR.format(pages=a4_pages))
            a4_s = guide.a4_first_page_s + guide.a4_page_s * (a4_pages - 1)
        self.takes[PrintKind.A4].setText(
            text.TAKES.format(time=duration(a4_s), exit=guide.a4_paper_exit)
        )
        self.purposes[PrintKind.RECEIPT].setText(text.RECEIPT_FOR)
        self.takes[PrintKind.RECEIPT].setText(
            text.TAKES.format(time=duration(guide.receipt_s), exit=guide.receipt_paper_exit)
        )
        self.both.setVisible(printable == frozenset(PrintKind))
        self.nothing.setVisible(not printable)
        self.title.setText(text.NOTHING_PRINTS_TITLE if not printable else text.CHOOSE_TITLE)

    def set_portrait(self, portrait: bool) -> None:
        self.options.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
