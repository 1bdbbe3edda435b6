"""The technician's PIN pad: ten digits, 删除, 确定, 取消; the PIN shows as dots."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.technician import PIN_FORMAT
from ui.strings import technician as text
from ui.widgets import button, card, centered

MAX_DIGITS = 12
KEY_PX = 96


class PinPadScreen(QWidget):
    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._pin = ""
        self.dots = centered("", "title")
        self.dots.setMinimumHeight(64)
        self.message = centered(text.PIN_PROMPT, "subtitle")
        grid = QGridLayout()
        grid.setSpacing(12)
        self.keys: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            self.keys[digit] = self._key(digit, lambda _=False, d=digit: self._type(d))
            grid.addWidget(self.keys[digit], index // 3, index % 3)
        self.delete = self._key(text.PIN_DELETE, self._delete)
        self.keys["0"] = self._key("0", lambda: self._type("0"))
        self.ok = self._key(text.PIN_OK, self._submit, "primary")
        for column, key in enumerate((self.delete, self.keys["0"], self.ok)):
            grid.addWidget(key, 3, column)
        self.cancel = button(text.PIN_CANCEL)
        self.cancel.clicked.connect(self.cancelled)

        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(50, 24, 50, 30)
        inner.setSpacing(12)
        inner.addWidget(self.message)
        inner.addWidget(self.dots)
        inner.addLayout(grid)
        inner.addWidget(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 10, 40, 10)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    @staticmethod
    def _key(caption: str, slot: object, name: str = "") -> QPushButton:
        key = button(caption, name)
        key.setFixedSize(KEY_PX * 2, KEY_PX)
        key.clicked.connect(slot)
        return key

    def ask(self, message: str = text.PIN_PROMPT) -> None:
        """A fresh, empty PIN with ``message`` above it."""
        self._pin = ""
        self._show(message, enabled=True)

    def refuse(self, message: str) -> None:
        """The pad cannot be used now (locked, no PIN configured): only 取消 works."""
        self._pin = ""
        self._show(message, enabled=False)

    def show_locked(self, seconds: float) -> None:
        self.refuse(text.PIN_LOCKED.format(minutes=max(1, math.ceil(seconds / 60))))

    def _show(self, message: str, enabled: bool) -> None:
        self.message.setText(message)
        self.dots.setText("")
        for key in (*self.keys.values(), self.delete, self.ok):
            key.setEnabled(enabled)

    def _type(self, digit: str) -> None:
        if len(self._pin) < MAX_DIGITS:
            self._pin += digit
            self.dots.setText(" ".join("●" * len(self._pin)))

    def _delete(self) -> None:
        self._pin = self._pin[:-1]
        self.dots.setText(" ".join("●" * len(self._pin)))

    def _submit(self) -> None:
        if PIN_FORMAT.fullmatch(self._pin) is None:  # not worth one of the five tries
            self.ask(text.PIN_TOO_SHORT)
            return
        pin = self._pin
        self._show(text.PIN_CHECKING, enabled=False)
        self.submitted.emit(pin)
