"""Full-screen questions that hold a session without leaving its state: 还需要更多时间吗？,
the lifted card's grace period, and 确定退出吗？. Each shows its countdown in large type."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.strings import flow as text
from ui.widgets import button, card, centered


class PromptScreen(QWidget):
    def __init__(
        self, title: str, countdown: str = "", note: str = "", frame: str = "warnCard"
    ) -> None:
        """``countdown``: a format with ``{seconds}``, shown by ``show_seconds``."""
        super().__init__()
        self._countdown = countdown
        box = card(frame)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(40)
        self.title = centered(title, "warnTitle")
        self.countdown = centered("", "prompt")
        self.countdown.setVisible(bool(countdown))
        inner.addWidget(self.title)
        inner.addWidget(self.countdown)
        if note:
            inner.addWidget(centered(note, "subtitle"))
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(60)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.setSpacing(50)
        layout.addStretch(1)
        layout.addWidget(box)
        layout.addLayout(self.buttons)
        layout.addStretch(2)

    def add_button(self, caption: str, name: str = "") -> QPushButton:
        choice = button(caption, name)
        choice.setMinimumWidth(360)
        choice.setMinimumHeight(140)
        self.buttons.insertWidget(self.buttons.count(), choice)
        return choice

    def show_seconds(self, seconds: int) -> None:
        if self._countdown:
            self.countdown.setText(self._countdown.format(seconds=seconds))

    def finish(self) -> None:
        """After the last ``add_button``: centre the row."""
        self.buttons.addStretch(1)


def still_there_screen() -> tuple[PromptScreen, QPushButton]:
    screen = PromptScreen(text.STILL_THERE_TITLE, text.STILL_THERE_COUNTDOWN)
    need = screen.add_button(text.STILL_THERE_NEED, "primary")
    screen.finish()
    return screen, need


def card_away_screen() -> PromptScreen:
    screen = PromptScreen(text.CARD_AWAY_TITLE, text.CARD_AWAY_COUNTDOWN, text.CARD_AWAY_NOTE)
    screen.finish()
    return screen


def exit_screen() -> tuple[PromptScreen, QPushButton, QPushButton]:
    screen = PromptScreen(text.EXIT_TITLE)
    cancel = screen.add_button(text.EXIT_CANCEL, "primary")
    confirm = screen.add_button(text.EXIT_CONFIRM)
    screen.finish()
    return screen, confirm, cancel
