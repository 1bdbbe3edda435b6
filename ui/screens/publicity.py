"""Cached public content: 信用新泰 notices and red/black list publicity, shown even offline."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.report_model import display_time
from ui.strings import common
from ui.strings import publicity as text
from ui.widgets import button, card, clear_layout, label, touch_scroll_area

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class PublicityScreen(QWidget):
    home_requested = Signal()
    touched = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.updated = label("", "muted", wrap=False)
        scroll, self.body_layout = touch_scroll_area()
        scroll.verticalScrollBar().valueChanged.connect(self.touched)
        self.home = button(common.HOME, "primary")
        self.home.clicked.connect(self.home_requested)
        heading = QHBoxLayout()
        heading.addWidget(label(text.TITLE, "title", wrap=False))
        heading.addStretch(1)
        heading.addWidget(self.updated)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.home)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 16)
        layout.setSpacing(14)
        layout.addLayout(heading)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)

    def show_status(self, status: PlatformStatus) -> None:
        clear_layout(self.body_layout)
        if status.content_fetched_at is None:
            self.updated.setText("")
            self.body_layout.addWidget(label(text.NEVER, "subtitle"))
            self.body_layout.addStretch(1)
            return
        fetched = dt.datetime.fromtimestamp(status.content_fetched_at, dt.UTC)
        self.updated.setText(text.UPDATED.format(time=display_time(fetched)))
        self.body_layout.addWidget(label(text.NOTICES, "sectionTitle"))
        for notice in status.notices:
            box = card()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(24, 16, 24, 16)
            inner.addWidget(label(notice.title, "subtitle"))
            inner.addWidget(label(f"{notice.source} · {notice.published_on}", "muted"))
            inner.addWidget(label(notice.summary, "fieldValue"))
            self.body_layout.addWidget(box)
        for kind, title in (("red", text.RED), ("black", text.BLACK)):
            entries = [e for e in status.lists if e.list_kind == kind]
            if not entries:
                continue
            self.body_layout.addWidget(label(f"{text.LISTS} · {title}", "sectionTitle"))
            for entry in entries:
                box = card()
                inner = QVBoxLayout(box)
                inner.setContentsMargins(24, 16, 24, 16)
                inner.addWidget(label(f"{entry.subject_name}（{entry.list_name}）", "subtitle"))
                inner.addWidget(label(text.CREDIT_CODE.format(code=entry.credit_code), "muted"))
                inner.addWidget(label(entry.reason, "fieldValue"))
                listed = text.LISTED.format(authority=entry.authority, date=entry.listed_on)
                inner.addWidget(label(listed, "muted"))
                self.body_layout.addWidget(box)
        self.body_layout.addStretch(1)
