"""The attract screen: clock, service hall, what this terminal does, where the card goes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.report_model import CHINA_TIME
from ui.strings import access as access_text
from ui.strings import attract as text
from ui.strings import common
from ui.strings import publicity as publicity_text
from ui.widgets import IdCardPicture, button, card, centered, restyle

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class AttractScreen(QWidget):
    def __init__(self, hall_name: str) -> None:
        super().__init__()
        self.clock = centered("", "hugeClock")
        self.date = centered("", "subtitle")
        hall = centered(hall_name, "hall")
        title = centered(common.APP_TITLE, "title")
        prompt_card = card()
        prompt_layout = QVBoxLayout(prompt_card)
        prompt_layout.setContentsMargins(40, 20, 40, 20)
        prompt_layout.setSpacing(16)
        self.prompt = centered(text.PROMPT, "prompt")
        prompt_layout.addWidget(IdCardPicture(), 1)
        prompt_layout.addWidget(self.prompt)
        self.steps = centered("  →  ".join(text.STEPS), "subtitle")
        self.publicity = button(publicity_text.OPEN)
        self.steps_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.steps_row.setSpacing(30)
        self.steps_row.addWidget(self.steps, 1)
        self.steps_row.addWidget(self.publicity)
        self.elder = button(access_text.ELDER, "elder")  # the window toggles 长辈模式
        self.steps_row.addWidget(self.elder)
        self.outage = centered(text.OUTAGE, "outage")
        self.outage.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 16, 60, 16)
        layout.setSpacing(10)
        layout.addWidget(self.outage)
        layout.addWidget(self.clock)
        layout.addWidget(self.date)
        layout.addWidget(hall)
        layout.addWidget(title)
        layout.addWidget(prompt_card, 1)
        layout.addLayout(self.steps_row)
        layout.addWidget(centered(text.NOTE, "muted"))
        self.tick(dt.datetime.now(CHINA_TIME))

    def tick(self, now: dt.datetime) -> None:
        self.clock.setText(now.strftime("%H:%M"))
        self.date.setText(
            common.DATE.format(
                year=now.year,
                month=now.month,
                day=now.day,
                weekday=common.WEEKDAYS[now.weekday()],
            )
        )

    def show_platform(self, status: PlatformStatus) -> None:
        self.outage.setVisible(status.available is False)

    def set_elder(self, on: bool) -> None:
        """长辈模式: fewer, larger items; the big clock and the date go (the header keeps
        the time)."""
        self.elder.setText(access_text.ELDER_ON if on else access_text.ELDER)
        restyle(self.elder, "elderOn" if on else "elder")
        self.clock.setVisible(not on)
        self.date.setVisible(not on)

    def set_portrait(self, portrait: bool) -> None:
        self.steps_row.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
