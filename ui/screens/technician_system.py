"""The technician's areas beyond the devices: the way to the platform, the outbox (retry
now, requeue a dead letter), and the terminal itself with the tail of its log."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton

from kiosk.diagnostics.checks import AREA_TITLES, Area, Check
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.outbox_checks import (
    KIND_NAMES,
    dead_letters,
    outbox_checks,
    requeue_dead_letter,
    retry_now,
)
from kiosk.diagnostics.platform_checks import platform_checks
from kiosk.diagnostics.terminal_checks import last_log_lines, terminal_checks
from offline_cache.outbox import DeadLetter
from ui.screens.technician_checks import AreaPage
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.widgets import button, card, label


class PlatformPage(AreaPage):
    """DNS, TCP, TLS (certificate and pin), the signed ping, latency and clock skew."""

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, AREA_TITLES[Area.PLATFORM])
        self.again = self.action_button(text.CHECK_AGAIN, self.refresh)

    def gather(self, diag: Diagnostics) -> list[Check]:
        return platform_checks(diag)


class OutboxPage(AreaPage):
    """What waits for the platform, what it refused and why; retry now, requeue."""

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, AREA_TITLES[Area.OUTBOX])
        self.retry = self.action_button(text.RETRY_NOW, self.retry_now, "primary")
        self.requeue_buttons: dict[str, QPushButton] = {}

    def gather(self, diag: Diagnostics) -> tuple[list[Check], list[DeadLetter]]:
        return outbox_checks(diag), dead_letters(diag)

    def present(self, gathered: Any) -> None:
        checks, letters = gathered
        self.checks.show_checks(checks)
        self.requeue_buttons = {}
        for letter in letters:
            row = card()
            line = QHBoxLayout(row)
            line.setContentsMargins(20, 10, 20, 10)
            kind = KIND_NAMES.get(letter.kind, letter.kind)
            line.addWidget(label(text.DEAD_LETTER.format(kind=kind, reason=letter.reason)), 1)
            requeue = button(text.REQUEUE)
            requeue.clicked.connect(lambda _=False, k=letter.idempotency_key: self.requeue(k))
            line.addWidget(requeue)
            self.requeue_buttons[letter.idempotency_key] = requeue
            self.checks.add_widget(row)

    def retry_now(self) -> None:
        self.act(text.RETRY_NOW, retry_now)

    def requeue(self, key: str) -> None:
        self.act(text.REQUEUE, requeue_dead_letter, key)


class TerminalPage(AreaPage):
    """In service or not, cached content, disk, version and update; the last log lines."""

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, text.AREA_TERMINAL)
        self.again = self.action_button(text.CHECK_AGAIN, self.refresh)
        self.log_title = label("", "fieldName")
        self.log = QPlainTextEdit()
        self.log.setObjectName("log")
        self.log.setReadOnly(True)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body.addWidget(self.log_title)
        self.body.addWidget(self.log, 1)

    def gather(self, diag: Diagnostics) -> tuple[list[Check], list[str] | None]:
        path = diag.log_file
        lines = last_log_lines(path) if path is not None and path.exists() else None
        return terminal_checks(diag), lines

    def present(self, gathered: Any) -> None:
        checks, lines = gathered
        self.checks.show_checks(checks)
        if lines is None:
            self.log_title.setText(text.NO_LOG)
            self.log.setPlainText("")
            return
        self.log_title.setText(text.LOG_TITLE.format(count=len(lines)))
        self.log.setPlainText("\n".join(lines))
        scroll = self.log.verticalScrollBar()
        scroll.setValue(scroll.maximum())
