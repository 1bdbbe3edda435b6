"""A PNG of every screen at 1920×1080 and 1080×1920: ``make screenshots``.

Screens are driven with the same ``SessionView`` snapshots the terminal publishes, built
from the sandbox population, so every state can be shown without waiting for it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.demo import demo_cards
from kiosk.platform.client import parse_lists, parse_notices
from kiosk.platform.watch import PlatformStatus
from kiosk.report_model import CHINA_TIME
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from sandbox import population
from sandbox.public_content import lists_payload, notices_payload
from ui.app import application
from ui.window import KioskWindow

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


class _NoActions:
    def print_report(self, kinds: frozenset[PrintKind]) -> None: ...
    def end_session(self) -> None: ...
    def touch(self) -> None: ...


class _NoDemo:
    def lay_card(self, label: str) -> None: ...
    def remove_card(self) -> None: ...


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def walk_screens() -> Iterator[tuple[str, KioskWindow]]:
    """Every screen, in both orientations: yields (name, window) with that screen showing."""
    app = application()
    resident = population.richest_resident()
    report = population.build_report(
        resident, "XT20261124000123", "K7M2Q9PX", dt.datetime.now(CHINA_TIME)
    )
    deadline = time.monotonic() + 57
    name = resident.card().name

    def view(state: State, **kw: object) -> SessionView:
        return SessionView(number=1, state=state, deadline=deadline, **kw)  # type: ignore[arg-type]

    outage = PlatformStatus(
        available=False,
        notices=parse_notices(json.dumps(notices_payload()).encode()),
        lists=parse_lists(json.dumps(lists_payload()).encode()),
        content_fetched_at=time.time() - 3600,
    )
    shots: list[tuple[str, object]] = [
        ("01-attract", SessionView(number=0, state=State.IDLE, deadline=None)),
        ("01b-demo-cards", "demo"),
        ("01c-attract-outage", "outage"),
        ("01d-publicity", "publicity"),
        ("02-reading", view(State.READING)),
        ("03-fetching", view(State.FETCHING)),
        ("04-report-summary", view(State.SHOWING, report=report, holder_name=name)),
        ("05-report-section", "next"),
        ("06-report-penalties", "penalties"),
        ("07-print-choice", "print"),
        ("08-printing", view(State.PRINTING)),
        ("09-done", view(State.DONE)),
        (
            "10-failed-checksum",
            view(State.FAILED, failure=Failure(FailureReason.CARD_CHECKSUM, State.READING)),
        ),
        (
            "11-failed-paper-out",
            view(
                State.FAILED,
                failure=Failure(FailureReason.PRINTER_FAULT, State.PRINTING, "paper_out"),
            ),
        ),
        (
            "12-failed-platform",
            view(State.FAILED, failure=Failure(FailureReason.PLATFORM_UNAVAILABLE, State.FETCHING)),
        ),
    ]
    for orientation, (width, height) in SIZES.items():
        window = KioskWindow(
            _NoActions(),
            "新泰市政务服务中心",
            demo=_NoDemo(),
            demo_cards=[(c.key, c.caption) for c in demo_cards()],
        )
        window.resize(width, height)
        window.show()
        for shot_name, step in shots:
            if window.demo_panel is not None:
                window.demo_panel.hide()
            if step == "demo":
                window.demo_open.click()
            elif step == "outage":
                window.apply_platform(outage)
            elif step == "publicity":
                window.attract.publicity.click()
            elif step == "next":
                window.report.next.click()
            elif step == "penalties":
                window.report.open_section("admin_penalty")
            elif step == "print":
                window.report.print.click()
            else:
                assert isinstance(step, SessionView)
                window.apply(step)
            _settle(app)
            yield f"{orientation}-{shot_name}", window
        window.close()


def take_screenshots(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, window in walk_screens():
        path = out_dir / f"{name}.png"
        window.grab().save(str(path))
        written.append(path)
    return written
