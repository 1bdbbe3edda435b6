"""A PNG of every screen at 1920×1080 and 1080×1920: ``make screenshots``.

Screens are driven with the same ``SessionView`` snapshots the terminal publishes, so every
state can be shown without waiting for it. What they show comes from the sandbox platform,
started as its own process and asked through the terminal's own client: the report of the
demo card with the most records, the notices and the list publicity.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from devices.idcard.text_block import parse_text_block
from kiosk.config import read_secret
from kiosk.contract import CreditReport, ListEntry, Notice
from kiosk.demo import DemoEnvironment
from kiosk.platform.client import PlatformClient
from kiosk.platform.watch import PlatformStatus
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from ui.app import application
from ui.window import KioskWindow

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
README_SHOTS = (
    "landscape-01-attract",
    "landscape-04-report-summary",
    "landscape-10-failed-checksum",
    "portrait-06-report-penalties",
)
"""The screens README.md shows; committed in ``docs/screenshots/`` at half size."""


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


@dataclass(frozen=True)
class _Content:
    report: CreditReport
    holder_name: str
    notices: tuple[Notice, ...]
    lists: tuple[ListEntry, ...]
    demo_cards: list[tuple[str, str]]


def _content_from_the_sandbox() -> _Content:
    with DemoEnvironment() as demo:
        assert demo.settings is not None
        settings = demo.settings
        secret = read_secret(settings.terminal.secret_file)
        (card,) = (c.card for c in demo.cards if c.key == demo.default_card)
        holder = parse_text_block(card.text_block)
        with PlatformClient(settings.platform.base_url, settings.terminal.id, secret) as client:
            report = client.fetch_report(client.open_resident_session(holder))
            notices, lists = client.public_notices(), client.public_lists()
        assert notices is not None and lists is not None  # no etag sent: never "not modified"
        cards = [(c.key, c.caption) for c in demo.cards]
        return _Content(report, holder.name, notices.items, lists.items, cards)


def walk_screens() -> Iterator[tuple[str, KioskWindow]]:
    """Every screen, in both orientations: yields (name, window) with that screen showing."""
    content = _content_from_the_sandbox()
    app = application()
    report, name = content.report, content.holder_name
    deadline = time.monotonic() + 57

    def view(state: State, **kw: object) -> SessionView:
        return SessionView(number=1, state=state, deadline=deadline, **kw)  # type: ignore[arg-type]

    outage = PlatformStatus(
        available=False,
        notices=content.notices,
        lists=content.lists,
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
        (
            "13-out-of-service",
            SessionView(number=1, state=State.IDLE, deadline=None, in_service=False),
        ),
    ]
    for orientation, (width, height) in SIZES.items():
        window = KioskWindow(
            _NoActions(),
            "新泰市政务服务中心",
            demo=_NoDemo(),
            demo_cards=content.demo_cards,
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


def take_screenshots(out_dir: Path, readme_dir: Path | None = None) -> list[Path]:
    """Every screen into ``out_dir``; the ones README.md shows also into ``readme_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if readme_dir is not None:
        readme_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, window in walk_screens():
        image = window.grab()
        path = out_dir / f"{name}.png"
        image.save(str(path))
        written.append(path)
        if readme_dir is not None and name in README_SHOTS:
            small = image.scaledToWidth(
                image.width() // 2, Qt.TransformationMode.SmoothTransformation
            )
            small.save(str(readme_dir / f"{name}.png"), "PNG", 0)  # 0: smallest file
            written.append(readme_dir / f"{name}.png")
    return written
