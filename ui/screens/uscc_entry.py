"""The enterprise's 统一社会信用代码 typed on an on-screen keyboard and checked here (GB 32100,
``kiosk.uscc``) before the platform is asked: only the characters a code can hold have keys,
the code shows in its groups as it is typed, and a typo is named before anything is sent."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk import uscc
from ui.strings import uscc_entry as text
from ui.widgets import button, centered

KEY_ROWS = ("1234567890", "ABCDEFGHJKL", "MNPQRTUWXY")
"""The keyboard: the digits, then the 21 capitals a code may hold (no I, O, Z, S, V)."""
MARGIN = 24
KEY_SPACING = 8
"""Eleven keys across a portrait screen (1080 px) stay over 80 px wide with these."""


class UsccEntryScreen(QWidget):
    confirmed = Signal(str)
    """A code that passed the local check."""
    back_requested = Signal()
    touched = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.display = centered("", "codePlaceholder")
        self.count = centered("", "muted")
        self.message = centered("", "inputError")
        self.keys: dict[str, QPushButton] = {}
        keyboard = QGridLayout()
        keyboard.setHorizontalSpacing(KEY_SPACING)
        keyboard.setVerticalSpacing(KEY_SPACING)
        for row, chars in enumerate(KEY_ROWS):
            for column, char in enumerate(chars):
                key = self.keys[char] = button(char, "key")
                key.clicked.connect(lambda _=False, c=char: self.type(c))
                keyboard.addWidget(key, row, column)
        self.delete = button(text.DELETE, "key")
        self.clear = button(text.CLEAR, "key")
        self.delete.clicked.connect(self.delete_last)
        self.clear.clicked.connect(self.clear_code)
        last_row = len(KEY_ROWS) - 1
        keyboard.addWidget(self.delete, last_row, len(KEY_ROWS[-1]))
        keyboard.addWidget(self.clear, 0, len(KEY_ROWS[0]))
        self.back = button(text.BACK)
        self.confirm = button(text.CONFIRM, "primary")
        self.back.clicked.connect(self.back_requested)
        self.confirm.clicked.connect(self.check_and_confirm)
        actions = QHBoxLayout()
        actions.setSpacing(30)
        actions.addWidget(self.back)
        actions.addStretch(1)
        actions.addWidget(centered(text.NOTE, "muted"))
        actions.addStretch(1)
        actions.addWidget(self.confirm)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(MARGIN, 20, MARGIN, 16)
        layout.setSpacing(14)
        layout.addWidget(centered(text.TITLE, "title"))
        layout.addWidget(centered(text.HINT, "subtitle"))
        layout.addWidget(self.display)
        layout.addWidget(self.count)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(keyboard)
        layout.addSpacing(10)
        layout.addLayout(actions)
        self._show_code()

    def reset(self) -> None:
        """A new session's empty keyboard."""
        self.code = ""
        self.message.clear()
        self._show_code()

    def type(self, char: str) -> None:
        self.touched.emit()
        if len(self.code) < uscc.LENGTH:
            self.code += char
        self.message.clear()
        self._show_code()

    def delete_last(self) -> None:
        self.touched.emit()
        self.code = self.code[:-1]
        self.message.clear()
        self._show_code()

    def clear_code(self) -> None:
        self.touched.emit()
        self.reset()

    def check_and_confirm(self) -> None:
        self.touched.emit()
        problem = uscc.problem(self.code)
        if problem is not None:
            self.message.setText(problem.message)
            return
        self.confirmed.emit(self.code)

    def _show_code(self) -> None:
        style = "codeDisplay" if self.code else "codePlaceholder"
        if self.display.objectName() != style:
            self.display.setObjectName(style)
            self.display.style().unpolish(self.display)
            self.display.style().polish(self.display)
        self.display.setText(uscc.grouped(self.code) if self.code else text.PLACEHOLDER)
        self.count.setText(text.COUNT.format(count=len(self.code)))
        full = len(self.code) == uscc.LENGTH
        self.confirm.setEnabled(full)
        for key in self.keys.values():
            key.setEnabled(not full)
