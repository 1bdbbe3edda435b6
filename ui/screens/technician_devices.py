"""The technician's summary and device areas: every check at a glance, each device at the
three health levels, the test prints and the card read test, and the A4 jobs kept through a
printer fault."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout

from devices.base import HealthLevel
from devices.printers.kept_jobs import KeptJob
from kiosk.diagnostics.actions import record_action
from kiosk.diagnostics.camera_checks import DETECTIONS, camera_test
from kiosk.diagnostics.checks import (
    AREA_TITLES,
    STATUS_TITLES,
    Area,
    Check,
    Status,
    by_area,
    worst,
)
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_checks import device_checks, print_test_page, read_card_test
from kiosk.diagnostics.kept_jobs import (
    cancel_kept_job,
    kept_jobs,
    kept_jobs_check,
    release_kept_jobs,
)
from kiosk.diagnostics.run import run_checks
from kiosk.face_check import FacePreview, FaceStage
from kiosk.report_model import CHINA_TIME
from ui.camera_frames import CameraFrame, camera_frame
from ui.screens.face_check import CameraView
from ui.screens.technician_checks import AreaPage
from ui.strings import technician as text
from ui.technician import TechnicianDesk
from ui.widgets import button, card, centered, clear_layout, label

CAMERA_LIVE_S = 10.0
"""Seconds of live picture the camera test shows."""
TILES = {Status.OK: "tileGood", Status.WARN: "tileAttention", Status.FAIL: "tileWarn"}
TILE_CHARS = 22
"""A tile's second line is cut to this many characters: the area itself says the rest."""
BANNERS = {  # frame, title
    Status.OK: ("doneCard", "doneTitle"),
    Status.WARN: ("warnCard", "warnTitle"),
    Status.FAIL: ("errorCard", "errorTitle"),
}


class SummaryPage(AreaPage):
    """Every check at once: green only when nothing failed and nothing needs attention."""

    open_area = Signal(str)

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, text.AREA_SUMMARY)
        self.action_button(text.CHECK_AGAIN, self.refresh, "primary")
        self.checks.hide()
        self.banner = card("doneCard")
        inner = QVBoxLayout(self.banner)
        inner.setContentsMargins(30, 20, 30, 20)
        self.verdict = centered("", "doneTitle")
        self.verdict_note = centered("", "muted")
        inner.addWidget(self.verdict)
        inner.addWidget(self.verdict_note)
        self.tiles = QGridLayout()
        self.tiles.setSpacing(16)
        self.body.addWidget(self.banner)
        self.body.addLayout(self.tiles)
        self.body.addStretch(1)
        self.status: Status | None = None
        """The verdict shown (OK: green), None while checking."""
        self._columns = 2

    def gather(self, diag: Diagnostics) -> list[Check]:
        return run_checks(diag)

    def refresh(self, busy_note: str = text.CHECKING) -> None:
        self.status = None
        self.verdict.setText(busy_note)
        self._frame("card", "title")
        super().refresh(busy_note)

    def present(self, gathered: Any) -> None:
        checks: list[Check] = gathered
        self.checks.shown = checks
        failures = sum(c.status is Status.FAIL for c in checks)
        warnings = sum(c.status is Status.WARN for c in checks)
        self.status = Status.FAIL if failures else Status.WARN if warnings else Status.OK
        self._frame(*BANNERS[self.status])
        if failures and warnings:
            found = text.FAILURES.format(count=failures)
            self.verdict.setText(f"{found}，{text.WARNINGS.format(count=warnings)}")
        elif failures:
            self.verdict.setText(text.FAILURES.format(count=failures))
        elif warnings:
            self.verdict.setText(text.WARNINGS.format(count=warnings))
        else:
            self.verdict.setText(text.ALL_HEALTHY)
        healthy = self.status is Status.OK
        self.verdict_note.setText(text.ALL_HEALTHY_NOTE if healthy else text.SUMMARY_NOTE)
        clear_layout(self.tiles)
        grouped = by_area(checks)
        has_camera = self.desk.settings.face_check.enabled
        areas = [area for area in Area if area is not Area.CAMERA or has_camera]
        # a seventh tile would add a row a landscape screen has no room for
        columns = 3 if self._columns == 2 and len(areas) > 6 else self._columns
        chars = TILE_CHARS * 2 // max(2, columns)
        for index, area in enumerate(areas):
            area_checks = grouped.get(area, [])
            status = worst(area_checks)
            # the first problem, or what was found (the driver and its state, the DNS…)
            shown = [c for c in area_checks if c.status is status] or area_checks
            line = shown[0].summary if shown else ""
            if len(line) > chars:
                line = line[: chars - 1] + "…"
            tile = button(f"{AREA_TITLES[area]} · {STATUS_TITLES[status]}\n{line}")
            tile.setObjectName(TILES.get(status, "tile"))
            # its width is the column's, not its text's: two columns fit a 1080 px screen
            tile.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            tile.clicked.connect(lambda _=False, a=area.value: self.open_area.emit(a))
            self.tiles.addWidget(tile, index // columns, index % columns)

    def set_portrait(self, portrait: bool) -> None:
        self._columns = 1 if portrait else 2
        if self.status is not None:
            self.present(self.checks.shown)

    def _frame(self, frame: str, title: str) -> None:
        for widget, name in ((self.banner, frame), (self.verdict, title)):
            widget.setObjectName(name)
            widget.style().unpolish(widget)
            widget.style().polish(widget)


class DevicePage(AreaPage):
    """One device: driver, state, sensors, health at the three levels, last fault, counters."""

    def __init__(self, desk: TechnicianDesk, area: Area) -> None:
        super().__init__(desk, AREA_TITLES[area])
        self.area = area
        self.internal = self.action_button(text.LEVEL_INTERNAL, self.refresh)
        self.external = self.action_button(
            text.LEVEL_EXTERNAL, lambda: self.check(HealthLevel.EXTERNAL)
        )
        self.interactive = self.action_button(
            text.LEVEL_INTERACTIVE, lambda: self.check(HealthLevel.INTERACTIVE)
        )
        levels = {Area.CARD_READER: text.LEVELS_READER, Area.CAMERA: text.LEVELS_CAMERA}.get(
            area, text.LEVELS_PRINTER
        )
        self.body.insertWidget(2, label(levels, "muted"))

    def check(self, level: HealthLevel) -> None:
        """A check at EXTERNAL (a test slip, a card) or INTERACTIVE (a question) level."""
        self.desk.mode.act(f"check_{self.area.value}", level.value)
        note = text.CHECKING
        if self.area is Area.CARD_READER:
            seconds = round(self.desk.settings.session.reading_timeout_s)
            note = text.PUT_CARD.format(seconds=seconds)
        self._run(note, self._gathered, self._checks_at, level)

    def refresh(self, busy_note: str = text.CHECKING) -> None:
        self._run(busy_note, self._gathered, self._checks_at, HealthLevel.INTERNAL)

    def _checks_at(self, diag: Diagnostics, level: HealthLevel) -> list[Check]:
        return device_checks(diag.devices, self.area, level, self.desk.ask)


class CameraPage(DevicePage):
    """The camera: its checks, and a few seconds of live picture with the frame rate and
    what the face guidance finds (the picture is shown, never stored)."""

    frame_arrived = Signal(object)  # CameraFrame, emitted on the camera's thread

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, Area.CAMERA)
        self.live = self.action_button(text.CAMERA_LIVE, self.watch, "primary")
        self.view = CameraView()
        self.reading = label("", "muted")
        # beside the checks, not above them: the page is as tall as the others
        live = QVBoxLayout()
        live.addWidget(self.view, 1)
        live.addWidget(self.reading)
        row = QHBoxLayout()
        self.body.removeWidget(self.checks)
        row.addWidget(self.checks, 3)
        row.addLayout(live, 2)
        self.body.addLayout(row, 1)
        self.frame_arrived.connect(self._show)

    def watch(self) -> None:
        self.act(text.CAMERA_LIVE, _camera_live, CAMERA_LIVE_S, self._preview)

    def _preview(self, preview: FacePreview) -> None:
        self.frame_arrived.emit(camera_frame(preview))

    def _show(self, frame: CameraFrame) -> None:
        self.view.show_frame(frame.image, frame.stage is not FaceStage.GUIDING)
        self.reading.setText(
            text.CAMERA_READING.format(
                fps=frame.fps, faces=frame.faces, found=DETECTIONS[frame.hint]
            )
        )


class DeviceTestsPage(AreaPage):
    """The receipt test slip, the A4 test page and the card read test, with their results."""

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, text.AREA_TESTS)
        self.receipt = self.action_button(text.TEST_RECEIPT, self.print_receipt)
        self.a4 = self.action_button(text.TEST_A4, self.print_a4)
        self.card = self.action_button(text.TEST_CARD, self.read_card)
        self.results: dict[str, Check] = {}
        self.body.insertWidget(1, label(text.TESTS_NOTE, "muted"))

    def refresh(self, busy_note: str = text.CHECKING) -> None:
        self.present(None)

    def present(self, gathered: Any) -> None:
        if self.results:
            self.checks.show_checks(list(self.results.values()))
        else:
            self.checks.show_note("")

    def print_receipt(self) -> None:
        what = text.WORKING.format(what=text.TEST_RECEIPT)
        self._run(what, self._tested, _test_print, Area.RECEIPT_PRINTER, "receipt")

    def print_a4(self) -> None:
        what = text.WORKING.format(what=text.TEST_A4)
        self._run(what, self._tested, _test_print, Area.DOCUMENT_PRINTER, "a4")

    def read_card(self) -> None:
        seconds = self.desk.settings.session.reading_timeout_s
        self._run(text.PUT_CARD.format(seconds=round(seconds)), self._tested, _read_card, seconds)

    def _tested(self, future: Future[Check]) -> None:
        self._set_busy(False)
        error = future.exception()
        if error is not None:
            self.checks.show_note(text.CHECK_FAILED.format(error=type(error).__name__))
            return
        check = future.result()
        self.results[f"{check.area.value}.{check.name}"] = check
        self.present(None)


# On the worker; recorded as ``taihaoban-kiosk diag`` records them.
def _test_print(diag: Diagnostics, area: Area, kind: str) -> Check:
    check = print_test_page(diag.devices, area, diag.terminal_id, dt.datetime.now(CHINA_TIME))
    record_action(diag, f"test_print_{kind}", check.status.value)
    return check


def _camera_live(
    diag: Diagnostics, seconds: float, on_preview: Callable[[FacePreview], None]
) -> Check:
    check = camera_test(diag.devices, seconds, on_preview)
    record_action(diag, "camera_live", check.status.value)
    return check


def _read_card(diag: Diagnostics, seconds: float) -> Check:
    check = read_card_test(diag.devices, seconds)
    record_action(diag, "read_card_test", check.status.value)
    return check


class KeptJobsPage(AreaPage):
    """A4 jobs kept through a printer fault: print them all now, or cancel one."""

    def __init__(self, desk: TechnicianDesk) -> None:
        super().__init__(desk, text.AREA_KEPT_JOBS)
        self.release = self.action_button(text.RELEASE_ALL, self.release_all, "primary")
        self.cancel_buttons: dict[str, QPushButton] = {}

    def gather(self, diag: Diagnostics) -> tuple[Check, list[KeptJob]]:
        return kept_jobs_check(diag), kept_jobs(diag)

    def present(self, gathered: Any) -> None:
        check, jobs = gathered
        self.checks.show_checks([check])
        self.cancel_buttons = {}
        now = time.time()
        for job in jobs:
            row = card()
            line = QHBoxLayout(row)
            line.setContentsMargins(20, 10, 20, 10)
            minutes = round(job.age_s(now) / 60)
            line.addWidget(label(text.KEPT_JOB.format(id=job.id, minutes=minutes)), 1)
            cancel = button(text.CANCEL_JOB)
            cancel.clicked.connect(lambda _=False, j=job.id: self.cancel(j))
            line.addWidget(cancel)
            self.cancel_buttons[job.id] = cancel
            self.checks.add_widget(row)

    def cancel(self, job_id: str) -> None:
        self.act(text.CANCEL_JOB, cancel_kept_job, job_id)

    def release_all(self) -> None:
        self.act(text.RELEASE_ALL, release_kept_jobs)
