"""The objection and repair-guidance screens: sub-screens of the report (SHOWING).

Each screen only shows and asks; ``ui.objection.ObjectionFlow`` moves between them and talks
to the terminal. The phone number is shown masked as it is typed (138****1234).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.contract import ObjectionReason
from kiosk.documents.objection_prints import Block
from kiosk.privacy import is_mobile_number
from ui import theme
from ui.strings import objection as text
from ui.widgets import button, card, centered, clear_layout, label, touch_scroll_area

PHONE_DIGITS = 11


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(30)
    row.addStretch(1)
    for widget in buttons:
        row.addWidget(widget)
    row.addStretch(1)
    return row


def _page(screen: QWidget, title: str) -> tuple[QVBoxLayout, QVBoxLayout]:
    """The screen's layout with a title and a card; returns (screen layout, card layout)."""
    box = card()
    inner = QVBoxLayout(box)
    inner.setContentsMargins(40, 24, 40, 24)
    inner.setSpacing(16)
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(80, 20, 80, 20)
    layout.setSpacing(20)
    layout.addWidget(label(title, "title"))
    layout.addWidget(box, 1)
    return layout, inner


def _show_blocks(columns: QBoxLayout, blocks: tuple[Block, ...]) -> None:
    """The blocks in two columns (side by side on a landscape screen, one under the other
    on a portrait one), the first half of them in the first."""
    clear_layout(columns)
    half = (len(blocks) + 1) // 2
    for part in (blocks[:half], blocks[half:]):
        column = QVBoxLayout()
        column.setSpacing(10)
        for block in part:
            column.addWidget(label(block.heading, "sectionTitle"))
            for line in block.lines:
                column.addWidget(label(line, "fieldValue"))
        column.addStretch(1)
        columns.addLayout(column, 1)


class ReasonScreen(QWidget):
    """Large buttons, one per reason the platform accepts."""

    chosen = Signal(object)  # ObjectionReason
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout, inner = _page(self, text.REASON_TITLE)
        self.record = label("", "subtitle")
        self.status = label("", "muted")
        self.choices = QGridLayout()
        self.choices.setSpacing(20)
        inner.addWidget(self.record)
        inner.addWidget(self.status)
        inner.addLayout(self.choices)
        inner.addStretch(1)
        self.back_button = button(text.BACK_TO_REPORT)
        self.back_button.clicked.connect(self.back)
        layout.addLayout(_button_row(self.back_button))
        self.reason_buttons: list[QPushButton] = []

    def show_record(self, record: str) -> None:
        self.record.setText(text.RECORD.format(record=record))
        self.status.setText(text.REASON_LOADING)
        clear_layout(self.choices)
        self.reason_buttons = []

    def offer(self, reasons: tuple[ObjectionReason, ...]) -> None:
        self.status.setText("")
        clear_layout(self.choices)
        self.reason_buttons = []
        for reason in reasons:
            caption = f"{reason.label}\n{reason.hint}" if reason.hint else reason.label
            choose = button(caption, "reason")
            choose.clicked.connect(lambda _=False, r=reason: self.chosen.emit(r))
            self.reason_buttons.append(choose)
        self._arrange()

    def _arrange(self) -> None:
        """Two buttons a row on a landscape screen (four rows do not fit at 1080 p), one on
        a portrait one (two are too narrow for a reason and its hint)."""
        per_row = 1 if self.height() > self.width() else 2
        for index, choose in enumerate(self.reason_buttons):
            self.choices.removeWidget(choose)
            self.choices.addWidget(choose, index // per_row, index % per_row)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def unavailable(self) -> None:
        self.status.setText(text.REASON_FAILED)


def masked_entry(digits: str) -> str:
    """The digits typed so far as the screen shows them: the 4th–7th masked."""
    return digits[:3] + "*" * len(digits[3:7]) + digits[7:]


class PhoneScreen(QWidget):
    """An on-screen numeric keypad for an optional mainland mobile number."""

    entered = Signal(str)  # the number, or "" for none
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout, inner = _page(self, text.PHONE_TITLE)
        self.digits = ""
        self.display = centered("", "title")
        self.error = centered("", "badgeBad")
        entry = QVBoxLayout()
        entry.setSpacing(24)
        entry.addStretch(1)
        entry.addWidget(centered(text.PHONE_NOTE, "muted"))
        entry.addWidget(self.display)
        entry.addWidget(self.error)
        entry.addStretch(1)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.keys: dict[str, QPushButton] = {}
        for index, digit in enumerate("123456789"):
            self.keys[digit] = button(digit)
            grid.addWidget(self.keys[digit], index // 3, index % 3)
        self.delete = button(text.DELETE)
        self.keys["0"] = button("0")
        self.clear_button = button(text.CLEAR)
        for column, widget in enumerate((self.clear_button, self.keys["0"], self.delete)):
            grid.addWidget(widget, 3, column)
        for digit, key in self.keys.items():
            key.clicked.connect(lambda _=False, d=digit: self.type(d))
        self.delete.clicked.connect(lambda: self._set(self.digits[:-1]))
        self.clear_button.clicked.connect(lambda: self._set(""))
        for column in range(3):
            grid.setColumnMinimumWidth(column, theme.KEY_WIDTH_PX)
        pad = QVBoxLayout()
        pad.addStretch(1)
        pad.addLayout(grid)
        pad.addStretch(1)
        # Side by side on a landscape screen (the keypad's four rows leave no room above
        # them at 1080 p); the number above the keypad on a portrait one.
        self.keypad = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.keypad.setSpacing(40)
        self.keypad.addLayout(entry, 1)
        self.keypad.addLayout(pad, 1)
        inner.addLayout(self.keypad, 1)
        self.skip = button(text.SKIP_PHONE)
        self.next = button(text.NEXT, "primary")
        self.back_button = button(text.BACK)
        self.skip.clicked.connect(lambda: self.entered.emit(""))
        self.next.clicked.connect(self._submit)
        self.back_button.clicked.connect(self.back)
        layout.addLayout(_button_row(self.back_button, self.skip, self.next))
        self._set("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        portrait = event.size().height() > event.size().width()
        self.keypad.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        super().resizeEvent(event)

    def type(self, digit: str) -> None:
        if len(self.digits) < PHONE_DIGITS:
            self._set(self.digits + digit)

    def clear(self) -> None:
        self._set("")

    def _set(self, digits: str) -> None:
        self.digits = digits
        self.display.setText(masked_entry(digits) or text.PHONE_EMPTY)
        self.error.setText("")
        self.error.hide()

    def _submit(self) -> None:
        if not is_mobile_number(self.digits):
            self.error.setText(text.PHONE_INVALID)
            self.error.show()
            return
        self.entered.emit(self.digits)


class ConfirmScreen(QWidget):
    submit = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout, inner = _page(self, text.CONFIRM_TITLE)
        self.record = label("", "subtitle")
        self.reason = label("", "subtitle")
        self.phone = label("", "subtitle")
        self.status = label("", "muted")
        for widget in (self.record, self.reason, self.phone, self.status):
            inner.addWidget(widget)
        inner.addStretch(1)
        self.back_button = button(text.CHANGE)
        self.submit_button = button(text.SUBMIT, "primary")
        self.back_button.clicked.connect(self.back)
        self.submit_button.clicked.connect(self.submit)
        layout.addLayout(_button_row(self.back_button, self.submit_button))

    def show_request(self, record: str, reason: str, phone_masked: str) -> None:
        self.record.setText(text.RECORD.format(record=record))
        self.reason.setText(text.REASON.format(reason=reason))
        self.phone.setText(text.PHONE.format(phone=phone_masked or text.PHONE_EMPTY))
        self.busy(False)
        self.status.setText("")

    def busy(self, busy: bool) -> None:
        self.status.setText(text.SUBMITTING if busy else "")
        self.submit_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)

    def failed(self, code: str) -> None:
        self.busy(False)
        self.status.setText(text.SUBMIT_FAILED.format(code=code))


class _SheetScreen(QWidget):
    """Headed blocks of lines (from ``kiosk.documents.objection_prints``), a print button
    and a way back to the report."""

    print_requested = Signal()
    back = Signal()

    def __init__(self, title: str, print_caption: str) -> None:
        super().__init__()
        layout, inner = _page(self, title)
        self.headline = label("", "doneTitle")
        self.plain = label("", "subtitle")
        scroll, body = touch_scroll_area()
        self.blocks = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.blocks.setSpacing(40)
        body.addLayout(self.blocks)
        body.addStretch(1)
        self.status = label("", "muted")
        inner.addWidget(self.headline)
        inner.addWidget(self.plain)
        inner.addWidget(scroll, 1)
        inner.addWidget(self.status)
        self.print = button(print_caption, "primary")
        self.back_button = button(text.BACK_TO_REPORT)
        self.print.clicked.connect(self.print_requested)
        self.back_button.clicked.connect(self.back)
        layout.addLayout(_button_row(self.back_button, self.print))

    def resizeEvent(self, event: QResizeEvent) -> None:
        portrait = event.size().height() > event.size().width()
        self.blocks.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        super().resizeEvent(event)

    def show_blocks(self, blocks: tuple[Block, ...]) -> None:
        _show_blocks(self.blocks, blocks)
        self.status.setText("")
        self.print.setEnabled(True)

    def printing(self) -> None:
        self.status.setText(text.PRINTING)
        self.print.setEnabled(False)

    def print_finished(self, failure_code: str) -> None:
        self.print.setEnabled(True)
        self.status.setText(
            text.PRINT_FAILED.format(code=failure_code) if failure_code else text.PRINTED
        )


class ResultScreen(_SheetScreen):
    def __init__(self) -> None:
        super().__init__(text.RESULT_TITLE, text.PRINT_RECEIPT)

    def show_result(self, queued: bool, blocks: tuple[Block, ...]) -> None:
        self.headline.setObjectName("warnTitle" if queued else "doneTitle")
        self.headline.setStyleSheet("")  # the object name changed: style it again
        self.headline.setText(text.QUEUED_TITLE if queued else text.ACCEPTED_TITLE)
        self.plain.setText(text.QUEUED_PLAIN if queued else "")
        self.plain.setVisible(queued)
        self.show_blocks(blocks)


class GuidanceScreen(_SheetScreen):
    def __init__(self) -> None:
        super().__init__(text.GUIDANCE_TITLE, text.PRINT_GUIDANCE)
        self.headline.hide()
        self.plain.hide()

    def loading(self) -> None:
        clear_layout(self.blocks)
        self.status.setText(text.GUIDANCE_LOADING)
        self.print.setEnabled(False)

    def unavailable(self, code: str) -> None:
        self.status.setText(text.GUIDANCE_FAILED.format(code=code))
        self.print.setEnabled(False)
