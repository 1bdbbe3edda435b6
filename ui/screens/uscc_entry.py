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
"""Eleven keys across a portrait screen (1080 px) stay over 80 px wide with these; 清空 and
删除 sit with 返回 and 确定, so in 长辈模式 no two-character key widens the keyboard."""


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
        widest = max(len(chars) for chars in KEY_ROWS)
        for row, chars in enumerate(KEY_ROWS):
            # each key spans two half-key columns: a shorter row sits centred, half a key in
            offset = widest - len(chars)
            for column, char in enumerate(chars):
                key = self.keys[char] = button(char, "key")
                key.clicked.connect(lambda _=False, c=char: self.type(c))
                keyboard.addWidget(key, row, offset + 2 * column, 1, 2)
        for half in range(2 * widest):
            keyboard.setColumnStretch(half, 1)
        self.delete = button(text.DELETE)
        self.clear = button(text.CLEAR)
        self.delete.clicked.connect(self.delete_last)
        self.clear.clicked.connect(self.clear_code)
        self.back = button(text.BACK)
        self.confirm = button(text.CONFIRM, "primary")
        self.back.clicked.connect(self.back_requested)
        self.confirm.clicked.connect(self.check_and_confirm)
        self.note = centered(text.NOTE, "muted")
        self.note_row = QHBoxLayout()  # the note above the buttons in portrait
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(30)
        self.action_row.addWidget(self.back)
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.note, 2)
        self.action_row.addStretch(1)
        self.action_row.addWidget(self.clear)
        self.action_row.addWidget(self.delete)
        self.action_row.addWidget(self.confirm)

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
        layout.addLayout(self.note_row)
        layout.addLayout(self.action_row)
        self._say("")

    def set_portrait(self, portrait: bool) -> None:
        """The note between 返回 and the other buttons in landscape (no height to spare in
        长辈模式), on its own line above them in portrait (no width to spare)."""
        self.action_row.removeWidget(self.note)
        self.note_row.removeWidget(self.note)
        if portrait:
            self.note_row.addWidget(self.note)
        else:
            self.action_row.insertWidget(2, self.note, 2)

    def reset(self) -> None:
        """A new session's empty keyboard."""
        self.code = ""
        self._say("")

    def type(self, char: str) -> None:
        self.touched.emit()
        if len(self.code) < uscc.LENGTH:
            self.code += char
        self._say("")

    def delete_last(self) -> None:
        self.touched.emit()
        self.code = self.code[:-1]
        self._say("")

    def clear_code(self) -> None:
        self.touched.emit()
        self.reset()

    def check_and_confirm(self) -> None:
        self.touched.emit()
        problem = uscc.problem(self.code)
        if problem is not None:
            self._say(problem.message)
            return
        self.confirmed.emit(self.code)

    def _say(self, problem: str) -> None:
        """A typo's message takes the count's line (the code is complete when it is checked):
        one line less keeps the keyboard on a landscape screen in 长辈模式."""
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        self.count.setVisible(not problem)
        self._show_code()

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
