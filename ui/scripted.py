"""One scripted resident, pressing the same buttons a person would: ``make demo-headless``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication

from devices.idcard.reader import IdCardReader
from devices.idcard.simulated import SimulatedReader
from kiosk.session import SessionView, State
from ui.window import KioskWindow

log = logging.getLogger(__name__)

STEP_MS = 300
WATCHDOG_MS = 60_000


@dataclass
class ScriptedResident:
    """Lays ``card_key``, agrees on the 查询授权 screen, pages through the report, prints A4
    and a receipt, goes home.

    With ``shots_dir`` it saves a PNG of the window at every step (what the resident saw).
    """

    card_key: str
    shots_dir: Path | None = None
    states: list[State] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)
    exit_code: int = 2

    def __call__(self, window: KioskWindow, reader: IdCardReader) -> None:
        assert isinstance(reader, SimulatedReader)
        self.window = window
        self.reader = reader
        window.bridge.changed.connect(self._on_change)
        QTimer.singleShot(WATCHDOG_MS, lambda: self._finish(2, "watchdog: session did not end"))

    def _on_change(self, view: SessionView) -> None:
        previous = self.states[-1] if self.states else None
        if view.state is previous:
            return
        self.states.append(view.state)
        log.info("scripted resident sees %s", view.state.value)
        self._shot(view.state.value)
        if view.state is State.IDLE and previous is None:
            QTimer.singleShot(STEP_MS, lambda: self.reader.lay_card(self.card_key))
        elif view.state is State.CONSENT:
            QTimer.singleShot(STEP_MS, lambda: self._press(self.window.consent.agree, "agreed"))
        elif view.state is State.SHOWING:
            report = self.window.report
            steps = (
                ("report-next-page", report.next),
                ("report-next-page", report.next),
                ("print-choice", report.print),
            )
            for step, (name, widget) in enumerate(steps):
                QTimer.singleShot(STEP_MS * (step + 1), lambda w=widget, n=name: self._press(w, n))
            QTimer.singleShot(STEP_MS * 4, self.window.print_choice.both.click)
        elif view.state is State.DONE:
            QTimer.singleShot(STEP_MS, self.window.done.home.click)
        elif view.state is State.IDLE:
            self.reader.remove_card()
            self._finish(0, "session ended at the attract screen")
        elif view.state is State.FAILED:
            self._finish(1, f"session failed: {view.failure}")

    def _press(self, button: QAbstractButton, then_showing: str) -> None:
        button.click()
        self._shot(then_showing)

    def _shot(self, what: str) -> None:
        if self.shots_dir is None:
            return
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{len(self.shots) + 1:02d}-{what}.png"
        self.window.grab().save(str(path))
        self.shots.append(path)

    def _finish(self, code: int, why: str) -> None:
        if self.exit_code != 2 and code == 2:
            return
        self.exit_code = code
        log.info("scripted resident done: %s", why)
        QApplication.instance().exit(code)  # type: ignore[union-attr]
