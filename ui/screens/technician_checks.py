"""Check results as the technician reads them: a status badge, the Chinese summary, and the
driver's words and what to do, one row per check (``kiosk.diagnostics.checks.Check``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.diagnostics.checks import STATUS_TITLES, Check, Status
from kiosk.diagnostics.context import Diagnostics
from ui.strings import technician as text
from ui.technician import NoAnswer, TechnicianDesk
from ui.widgets import button, card, clear_layout, label, touch_scroll_area

log = logging.getLogger(__name__)

BADGES = {
    Status.OK: "badgeGood",
    Status.WARN: "badgeHonour",
    Status.FAIL: "badgeBad",
    Status.SKIPPED: "badgeMuted",
}


def check_row(check: Check) -> QWidget:
    row = card()
    line = QHBoxLayout(row)
    line.setContentsMargins(20, 14, 20, 14)
    line.setSpacing(20)
    badge = label(STATUS_TITLES[check.status], BADGES[check.status], wrap=False)
    badge.setFixedWidth(130)
    line.addWidget(badge)
    words = QVBoxLayout()
    words.setSpacing(4)
    words.addWidget(label(check.summary))
    if check.detail:
        words.addWidget(label(check.detail, "muted"))
    if check.hint and check.status is not Status.OK:
        words.addWidget(label(text.HINT.format(hint=check.hint), "muted"))
    line.addLayout(words, 1)
    return row


class CheckList(QWidget):
    """Rows of check results in a touch-scrolling area; or one line saying why there are
    none yet (checking, the core not up)."""

    def __init__(self) -> None:
        super().__init__()
        scroll, self._rows = touch_scroll_area()
        self.note = label("", "subtitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)
        self.shown: list[Check] = []

    def show_checks(self, checks: Sequence[Check]) -> None:
        self.note.hide()
        self.shown = list(checks)
        clear_layout(self._rows)
        for check in checks:
            self._rows.addWidget(check_row(check))
        self._rows.addStretch(1)

    def add_widget(self, widget: QWidget) -> None:
        """A row that is not a check (a kept job, a dead letter with its button)."""
        stretch = self._rows.count() - 1
        self._rows.insertWidget(max(0, stretch), widget)

    def show_note(self, note: str) -> None:
        self.shown = []
        clear_layout(self._rows)
        self.note.setText(note)
        self.note.show()


class AreaPage(QWidget):
    """One area of the technician's panel: a heading, a row of action buttons under it (the
    panel fits a 1080 px wide screen either way up), the result of the last action, and its
    checks. ``gather`` runs on the desk's worker (it may touch devices
    and the network), ``present`` shows what it returned on the GUI thread."""

    def __init__(self, desk: TechnicianDesk, title: str) -> None:
        super().__init__()
        self.desk = desk
        self.heading = label(title, "sectionTitle", wrap=False)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(16)
        self._action_buttons: list[QPushButton] = []
        self.result = QVBoxLayout()
        self.checks = CheckList()
        self.busy = False
        self.buttons.addStretch(1)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(16)
        self.body.addWidget(self.heading)
        self.body.addLayout(self.buttons)
        self.body.addLayout(self.result)
        self.body.addWidget(self.checks, 1)

    def action_button(self, caption: str, slot: Callable[[], None], name: str = "") -> QPushButton:
        action = button(caption, name)
        action.clicked.connect(lambda: slot())  # not clicked's bool
        self.buttons.insertWidget(self.buttons.count() - 1, action)
        self._action_buttons.append(action)
        return action

    # --- what each area does ---
    def gather(self, diag: Diagnostics) -> Any:
        """On the worker: what the area shows (by default its checks)."""
        raise NotImplementedError

    def present(self, gathered: Any) -> None:
        self.checks.show_checks(gathered)

    # --- running it ---
    def refresh(self, busy_note: str = text.CHECKING) -> None:
        self._run(busy_note, self._gathered, self.gather)

    def act(self, what: str, fn: Callable[..., Check], *args: Any) -> None:
        """Run the action ``fn(diag, *args)`` (it records itself), show its result above the
        checks, then check the area again."""
        self._run(text.WORKING.format(what=what), self._acted, fn, *args)

    def _run(self, note: str, then: Callable[[Future[Any]], None], fn: Any, *args: Any) -> None:
        if self.busy:
            return  # one thing at a time: the answer to the first is on its way
        diag = self.desk.diagnostics()
        if diag is None:
            self.checks.show_note(text.CORE_NOT_UP)
            return
        self._set_busy(True)
        self.checks.show_note(note)
        self.desk.run(then, fn, diag, *args)

    def _gathered(self, future: Future[Any]) -> None:
        self._set_busy(False)
        error = future.exception()
        if isinstance(error, NoAnswer):
            self.checks.show_note(text.NO_ANSWER)
        elif error is not None:
            log.error("technician checks failed", exc_info=error)
            self.checks.show_note(text.CHECK_FAILED.format(error=type(error).__name__))
        else:
            self.present(future.result())

    def _acted(self, future: Future[Check]) -> None:
        self._set_busy(False)
        error = future.exception()
        if error is not None:
            log.error("technician action failed", exc_info=error)
            self.checks.show_note(text.CHECK_FAILED.format(error=type(error).__name__))
            return
        self.show_result(future.result())
        self.refresh()

    def show_result(self, check: Check | None) -> None:
        """The last action's result above the checks (None: none)."""
        clear_layout(self.result)
        if check is not None:
            self.result.addWidget(check_row(check))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for action in self._action_buttons:
            action.setEnabled(not busy)
