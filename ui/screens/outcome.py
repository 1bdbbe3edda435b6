"""The end of a session: printed (take your things) or failed (what happened, what to do)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.session import Failure
from ui.strings import common, done
from ui.strings import failure as failure_text
from ui.strings import out_of_service as window_text
from ui.widgets import button, card, centered


class _OutcomeScreen(QWidget):
    home_requested = Signal()

    def __init__(self, frame_name: str, title_name: str) -> None:
        super().__init__()
        box = card(frame_name)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(36)
        self.title = centered("", title_name)
        self.message = centered("", "subtitle")
        self.detail = centered("", "muted")
        inner.addWidget(self.title)
        inner.addWidget(self.message)
        inner.addWidget(self.detail)
        self.home = button(common.HOME, "primary")
        self.home.clicked.connect(self.home_requested)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.home)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.addStretch(1)
        layout.addWidget(box)
        layout.addSpacing(40)
        layout.addLayout(row)
        layout.addStretch(2)


class DoneScreen(_OutcomeScreen):
    def __init__(self) -> None:
        super().__init__("doneCard", "doneTitle")
        self.title.setText(done.TITLE)
        self.message.setObjectName("prompt")  # the one thing the resident must do now
        self.message.setText(done.TAKE_ITEMS)
        self.detail.setText(done.THANKS)


class FailureScreen(_OutcomeScreen):
    def __init__(self, service_window: str = "") -> None:
        super().__init__("errorCard", "errorTitle")
        self.service_window = service_window or window_text.SERVICE_WINDOW

    def show_failure(self, failure: Failure) -> None:
        what, todo = failure_text.describe(failure, self.service_window)
        self.title.setText(what)
        self.message.setText(todo)
        code = failure.code or failure.reason.value
        self.detail.setText(failure_text.ERROR_CODE.format(code=code))
