"""The attract screen: clock, service hall, what this terminal does, where the card goes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.report_model import CHINA_TIME
from ui.strings import access as access_text
from ui.strings import attract as text
from ui.strings import common, flow
from ui.strings import publicity as publicity_text
from ui.strings import uscc_entry as enterprise_text
from ui.widgets import IdCardPicture, button, card, centered, restyle

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class AttractScreen(QWidget):
    enterprise_chosen = Signal(bool)
    """The 企业报告（法定代表人） button: True arms the enterprise report for the next card."""

    def __init__(self, hall_name: str, service_window: str = "") -> None:
        super().__init__()
        self.card_on_reader = False
        self.platform_down = False
        self.clock = centered("", "hugeClock")
        self.date = centered("", "subtitle")
        hall = centered(hall_name, "hall")
        title = centered(common.APP_TITLE, "title")
        prompt_card = card()
        prompt_layout = QVBoxLayout(prompt_card)
        prompt_layout.setContentsMargins(40, 20, 40, 20)
        prompt_layout.setSpacing(16)
        self.prompt = centered(text.PROMPT, "prompt")
        self.picture = IdCardPicture()
        window = service_window or flow.SERVICE_WINDOW
        # While queries cannot succeed the card prompt gives way to plain words.
        self.outage = centered(flow.OUTAGE.format(window=window), "outage")
        self.outage_note = centered(flow.OUTAGE_NOTE, "subtitle")
        prompt_layout.addWidget(self.picture, 1)
        prompt_layout.addStretch(0)  # with the picture hidden, the words stay in the middle
        for words in (self.prompt, self.outage, self.outage_note):
            words.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            prompt_layout.addWidget(words)
        prompt_layout.addStretch(0)
        self.steps = centered("  →  ".join(text.STEPS), "subtitle")
        self.publicity = button(publicity_text.OPEN)
        self.steps_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.steps_row.setSpacing(30)
        self.steps_row.addWidget(self.steps, 1)
        self.steps_row.addWidget(self.publicity)
        self.enterprise = button(enterprise_text.CHOOSE)
        self.enterprise.setCheckable(True)
        self.enterprise.toggled.connect(self._enterprise_toggled)
        self.steps_row.addWidget(self.enterprise)
        self.elder = button(access_text.ELDER, "elder")  # the window toggles 长辈模式
        self.steps_row.addWidget(self.elder)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 16, 60, 16)
        layout.setSpacing(10)
        layout.addWidget(self.clock)
        layout.addWidget(self.date)
        layout.addWidget(hall)
        layout.addWidget(title)
        layout.addWidget(prompt_card, 1)
        layout.addLayout(self.steps_row)
        layout.addWidget(centered(text.NOTE, "muted"))
        self.tick(dt.datetime.now(CHINA_TIME))
        self._show_prompt()

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

    def show_enterprise_choice(self, chosen: bool) -> None:
        """What the terminal holds (a choice lapses after a while): no signal is sent."""
        self.enterprise.blockSignals(True)
        self.enterprise.setChecked(chosen)
        self.enterprise.blockSignals(False)
        self._show_enterprise_choice(chosen)

    def _enterprise_toggled(self, chosen: bool) -> None:
        self._show_enterprise_choice(chosen)
        self.enterprise_chosen.emit(chosen)

    def _show_enterprise_choice(self, chosen: bool) -> None:
        # an object name, not a :checked rule: the palette (text colour) follows object names
        self.enterprise.setText(enterprise_text.CHOSEN if chosen else enterprise_text.CHOOSE)
        restyle(self.enterprise, "chosen" if chosen else "")

    def show_platform(self, status: PlatformStatus) -> None:
        self.platform_down = status.available is False
        self._show_prompt()

    def show_card_on_reader(self, on_reader: bool) -> None:
        """A card left from the last session: ask for it to be taken, not for a card."""
        self.card_on_reader = on_reader
        self._show_prompt()

    def _show_prompt(self) -> None:
        down = self.platform_down and not self.card_on_reader
        self.prompt.setText(flow.TAKE_CARD if self.card_on_reader else text.PROMPT)
        self.prompt.setVisible(not down)
        self.picture.setVisible(not down and not self.card_on_reader)
        self.outage.setVisible(down)
        self.outage_note.setVisible(down)

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
