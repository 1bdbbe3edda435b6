"""The end of a session: printed (take your things) or failed (what happened, what to do)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.failures import describe, go_to_window
from kiosk.session import Failure
from ui.strings import common, done, flow
from ui.widgets import button, card, card_above_buttons, centered


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
        card_above_buttons(self, box, self.home)


class DoneScreen(_OutcomeScreen):
    def __init__(self) -> None:
        super().__init__("doneCard", "doneTitle")
        self.title.setText(done.TITLE)
        self.message.setObjectName("prompt")  # the one thing the resident must do now
        self.message.setText(done.TAKE_ITEMS)
        self.detail.setText(done.THANKS)


class FailureScreen(_OutcomeScreen):
    def __init__(self, service_window: str = "") -> None:
        """``service_window``: the hall's window to go to (e.g. "3号窗口"); empty: any."""
        super().__init__("errorCard", "errorTitle")
        self.service_window = service_window
        self.take_card = centered(flow.TAKE_CARD, "prompt")
        frame = self.title.parentWidget()
        assert frame is not None
        inner = frame.layout()
        assert isinstance(inner, QVBoxLayout)
        inner.addWidget(self.take_card)
        self.detail.setObjectName("sectionTitle")  # what a clerk needs: large

    def show_failure(self, failure: Failure, card_on_reader: bool = False) -> None:
        entry = describe(failure)
        self.title.setText(entry.title)
        self.message.setText(entry.explanation + entry.todo)
        self.detail.setText(go_to_window(entry, self.service_window))
        self.take_card.setVisible(card_on_reader)
