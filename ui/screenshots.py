"""A PNG of every screen at 1920×1080 and 1080×1920: ``make screenshots``.

Screens are driven with the same ``SessionView`` snapshots the terminal publishes, so every
state can be shown without waiting for it. What they show comes from the sandbox platform,
started as its own process and asked through the terminal's own client: the report of the
demo card with the most records, the notices and the list publicity.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from devices.camera.guidance import Assessment, Hint
from devices.idcard.text_block import parse_text_block
from devices.printers.base import PrintResult
from devices.printers.kept_jobs import KeptJobStore
from devices.printers.receipt import Receipt
from kiosk.config import read_secret
from kiosk.contract import (
    USCC_PATTERN,
    CreditReport,
    DeviceFault,
    ListEntry,
    Notice,
    ObjectionAccepted,
    ObjectionReason,
    RepairRule,
)
from kiosk.demo import DEMO_TECHNICIAN_PIN, DemoEnvironment
from kiosk.diagnostics.checks import Area
from kiosk.diagnostics.context import KEPT_JOBS_DIR
from kiosk.face_check import FacePreview, FaceStage
from kiosk.logs import FORMAT, MaskingFormatter
from kiosk.objections import (
    ObjectionOutcome,
    RecordRef,
    RepairOutcome,
    objection_request,
    outcome,
)
from kiosk.platform.client import PlatformClient
from kiosk.platform.outbox_items import enqueue
from kiosk.platform.watch import PlatformStatus
from kiosk.report_model import CHINA_TIME
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from kiosk.technician import TAPS
from ui.app import application
from ui.bridge import SessionBridge
from ui.camera_frames import CameraFrame, camera_frame
from ui.screens.technician_devices import DevicePage, DeviceTestsPage
from ui.technician import TechnicianDesk
from ui.window import KioskWindow

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
README_PORTRAITS = (
    "portrait-06-report-penalties",
    "portrait-elder-01-attract",
    "portrait-elder-15-enterprise-code",
)
"""Besides every landscape screen in normal mode: the portrait and 长辈模式 ones README.md
shows."""


def in_readme(name: str) -> bool:
    """Committed in ``docs/screenshots/`` at half size: every screen in landscape, a few more."""
    return (name.startswith("landscape-") and "-elder-" not in name) or name in README_PORTRAITS


WAIT_S = 60.0
"""Technician screens show checks that run on workers: how long one may take here."""


class _NoActions:
    def print_report(self, kinds: frozenset[PrintKind]) -> None: ...
    def end_session(self) -> None: ...
    def touch(self) -> None: ...
    def choose_enterprise(self, chosen: bool) -> None: ...
    def enter_enterprise_code(self, uscc: str) -> None: ...
    def give_consent(self) -> None: ...
    def refuse_consent(self) -> None: ...
    def call_staff(self, screen: str) -> None: ...
    def set_elder(self, on: bool) -> None: ...
    def consent_to_face_check(self) -> None: ...
    def refuse_face_check(self) -> None: ...


class _NoDemo:
    def lay_card(self, label: str) -> None: ...
    def remove_card(self) -> None: ...


def _settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


SCREENSHOT_PHONE = "13800001234"
"""Not a real resident's: what the phone keypad screenshot types."""


@dataclass(frozen=True)
class _Content:
    report: CreditReport
    holder_name: str
    notices: tuple[Notice, ...]
    lists: tuple[ListEntry, ...]
    demo_cards: list[tuple[str, str]]
    enterprise_report: CreditReport
    representative_name: str
    reasons: tuple[ObjectionReason, ...]
    accepted: ObjectionAccepted
    rules: dict[str, tuple[int, RepairRule]]
    """A 行政处罚 row the platform rules on, per repair status."""


def _done(value: object) -> Future[object]:
    future: Future[object] = Future()
    future.set_result(value)
    return future


class _Credit:
    """Objections and guidance answered from what the sandbox said (``_Content``)."""

    terminal_id = "XT-DEMO-0001"

    def __init__(self, content: _Content) -> None:
        self._content = content
        self.queued = False

    def objection_reasons(self) -> Future[tuple[ObjectionReason, ...]]:
        return _done(self._content.reasons)  # type: ignore[return-value]

    def file_objection(
        self, record: RecordRef, reason: ObjectionReason, phone: str
    ) -> Future[ObjectionOutcome]:
        report = self._content.report
        request = objection_request(report, record, reason, phone)
        accepted = None if self.queued else self._content.accepted
        now = dt.datetime.now(dt.UTC)
        return _done(outcome(request, report, reason, accepted, now))  # type: ignore[return-value]

    def repair_guidance(self, record: RecordRef) -> Future[RepairOutcome]:
        rules = {row: rule for row, rule in self._content.rules.values()}
        rule = rules.get(record.row) if record.section == "admin_penalty" else None
        report = self._content.report
        return _done(RepairOutcome(report.report_no, record.describe(report), rule))  # type: ignore[return-value]

    def print_sheet(self, receipt: Receipt, pdf: Callable[[], bytes]) -> Future[PrintResult]:
        return _done(PrintResult("screenshot", True))  # type: ignore[return-value]

    def touch(self) -> None: ...


def _content_from_the_sandbox() -> _Content:
    with DemoEnvironment() as demo:
        assert demo.settings is not None
        settings = demo.settings
        secret = read_secret(settings.terminal.secret_file)
        (card,) = (c.card for c in demo.cards if c.key == demo.default_card)
        holder = parse_text_block(card.text_block)
        # the demo card of a legal representative names the enterprise's code in its caption
        ((representative, code),) = (
            (parse_text_block(c.card.text_block), found[0])
            for c in demo.cards
            if (found := re.findall(USCC_PATTERN, c.caption))
        )
        with PlatformClient(settings.platform.base_url, settings.terminal.id, secret) as client:
            token = client.open_resident_session(holder)
            report = client.fetch_report(token)
            representative_token = client.open_resident_session(representative)
            enterprise_report = client.fetch_enterprise_report(representative_token, code)
            notices, lists = client.public_notices(), client.public_lists()
            reasons = client.objection_reasons()
            request = objection_request(report, RecordRef("admin_penalty", 0), reasons[0], "")
            accepted = client.file_objection(token, request)
            rules: dict[str, tuple[int, RepairRule]] = {}
            for row in range(report.count("admin_penalty")):
                rule = client.repair_guidance(token, report.report_no, "admin_penalty", row).rule
                if rule is not None:
                    rules.setdefault(rule.status, (row, rule))
        assert notices is not None and lists is not None  # no etag sent: never "not modified"
        cards = [(c.key, c.caption) for c in demo.cards]
        return _Content(
            report,
            holder.name,
            notices.items,
            lists.items,
            cards,
            enterprise_report,
            representative.name,
            reasons,
            accepted,
            rules,
        )


def walk_screens() -> Iterator[tuple[str, KioskWindow]]:
    """Every screen, in both orientations (the residents' also in 长辈模式, named
    ``<orientation>-elder-<shot>``): yields (name, window) with that screen showing."""
    yield from _resident_screens()
    yield from _technician_screens()


def _resident_screens() -> Iterator[tuple[str, KioskWindow]]:
    content = _content_from_the_sandbox()
    app = application()
    report, name = content.report, content.holder_name
    deadline = time.monotonic() + 57

    def view(state: State, **kw: object) -> SessionView:
        return SessionView(number=1, state=state, deadline=deadline, **kw)  # type: ignore[arg-type]

    showing = view(State.SHOWING, report=report, holder_name=name, a4_pages=_a4_pages(report))

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
        ("01e-attract-take-card", "take-card"),
        ("02-reading", view(State.READING)),
        ("02b-consent", view(State.CONSENT)),
        ("02c-consent-still-there", view(State.CONSENT, asking=True)),
        ("03-fetching", view(State.FETCHING)),
        ("04-report-summary", showing),
        ("04b-staff-called", "staff"),
        ("04c-exit-confirm", "exit"),
        ("04d-card-away", "card-away"),
        ("04e-report-again", view(State.SHOWING, report=report, holder_name=name)),
        ("05-report-section", "next"),
        ("06-report-penalties", "penalties"),
        ("06b-report-row-details", "row details"),
        ("07-print-choice", "print"),
        (
            "07b-print-choice-receipt-only",
            view(State.SHOWING, report=report, printable=frozenset({PrintKind.RECEIPT})),
        ),
        ("07c-print-choice-nothing", view(State.SHOWING, report=report, printable=frozenset())),
        ("08-printing", view(State.PRINTING)),
        ("08b-print-paused", view(State.PRINT_PAUSED)),
        ("09-done", view(State.DONE)),
        (
            "10-failed-checksum",
            view(
                State.FAILED,
                failure=Failure(FailureReason.CARD_CHECKSUM, State.READING),
                card_on_reader=True,
            ),
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
        (
            "14-attract-enterprise-chosen",
            SessionView(number=1, state=State.IDLE, deadline=None, enterprise=True),
        ),
        ("15-enterprise-code", view(State.ENTERPRISE_CODE, enterprise=True)),
        ("16-enterprise-code-typo", "uscc-typo"),
        ("17-enterprise-code-typed", "uscc-typed"),
        (
            "18-enterprise-report-summary",
            view(
                State.SHOWING,
                report=content.enterprise_report,
                holder_name=content.representative_name,
                enterprise=True,
            ),
        ),
        ("19-enterprise-report-basic", "next"),
        (
            "19b-failed-not-legal-representative",
            view(
                State.FAILED,
                failure=Failure(FailureReason.NOT_LEGAL_REPRESENTATIVE, State.FETCHING),
            ),
        ),
        ("14-objection-reason", "objection"),
        ("14b-objection-phone", "reason"),
        ("14c-objection-confirm", "phone"),
        ("14d-objection-result", "submit"),
        ("14e-objection-queued", "queued"),
        *[
            (f"15-guidance-{status.replace('_', '-')}", f"guide:{status}")
            for status in content.rules
        ],
        ("15d-guidance-none", "guide:none"),
        ("20-face-consent", view(State.FACE_CHECK, face_check=True)),
        ("21-face-check", view(State.FACE_CHECK, face_check=True, face_attempt=1)),
        ("21b-face-check-blink", "face"),
        ("22-face-retry", view(State.FACE_CHECK, face_check=True, face_attempt=2)),
        (
            "23-failed-face-mismatch",
            view(State.FAILED, failure=Failure(FailureReason.FACE_MISMATCH, State.FACE_CHECK)),
        ),
        (
            "24-failed-face-refused",
            view(State.FAILED, failure=Failure(FailureReason.FACE_CHECK_REFUSED, State.FACE_CHECK)),
        ),
    ]
    code = content.enterprise_report.subject.uscc
    typo = code[:17] + next(c for c in "0123456789" if c != code[17])
    passes = [(o, size, elder) for elder in (False, True) for o, size in SIZES.items()]
    for orientation, (width, height), elder in passes:
        credit = _Credit(content)
        window = KioskWindow(
            _NoActions(),
            "新泰市政务服务中心",
            demo=_NoDemo(),
            demo_cards=content.demo_cards,
            credit=credit,
            service_window="3号窗口",
        )
        window.resize(width, height)
        window.show()
        prefix = f"{orientation}-elder" if elder else orientation
        for shot_name, step in shots:
            if isinstance(step, SessionView):
                step = replace(step, elder=elder)
            if step == "confirm" and not elder:
                continue
            if window.demo_panel is not None:
                window.demo_panel.hide()
            if step == "demo":
                window.demo_open.click()
            elif step == "outage":
                window.apply_platform(outage)
            elif step == "publicity":
                window.attract.publicity.click()
            elif step == "take-card":
                window.publicity.home.click()
                window.apply(SessionView(0, State.IDLE, None, card_on_reader=True, elder=elder))
            elif step == "staff":
                window.call_staff.click()
            elif step == "exit":
                window.report.exit.click()
            elif step == "card-away":  # 继续查看, then the card is lifted
                window.exit_cancel.click()
                window.apply(replace(showing, card_away=True, elder=elder))
            elif step == "next":
                window.report.next.click()
            elif step == "penalties":
                window.report.open_section("admin_penalty")
            elif step == "row details":
                window.report.open_row("admin_penalty", 0)
            elif step == "print":
                window.report.print.click()
            elif step in ("uscc-typo", "uscc-typed"):
                window.uscc_entry.clear.click()
                for char in typo if step == "uscc-typo" else code:
                    window.uscc_entry.keys[char].click()
                if step == "uscc-typo":
                    window.uscc_entry.confirm.click()
            elif step == "face":
                window.show_camera_frame(_face_frame())
            elif isinstance(step, str):
                _objection_step(window, credit, replace(showing, elder=elder), step, content)
            else:
                assert isinstance(step, SessionView)
                window.apply(step)
            _settle(app)
            yield f"{prefix}-{shot_name}", window
        window.close()


def _objection_step(
    window: KioskWindow, credit: _Credit, showing: SessionView, step: str, content: _Content
) -> None:
    """The objection and guidance screens, opened as the report's row details open them."""
    flow = window.objection
    assert flow is not None
    if step in ("objection", "queued", "guide:none") or step.startswith("guide:"):
        window.apply(showing)
    if step == "objection":
        window.report.objection_requested.emit("admin_penalty", 0)
    elif step == "reason":
        flow.reason.reason_buttons[0].click()
        for digit in SCREENSHOT_PHONE:
            flow.phone.keys[digit].click()
    elif step == "phone":
        flow.phone.next.click()
    elif step == "submit":
        flow.confirm.submit_button.click()
    elif step == "queued":
        credit.queued = True
        window.report.objection_requested.emit("black_list", 0)
        flow.reason.reason_buttons[1].click()
        flow.phone.skip.click()
        flow.confirm.submit_button.click()
        credit.queued = False
    elif step == "guide:none":
        window.report.repair_requested.emit("black_list", 0)
    else:
        row, _ = content.rules[step.removeprefix("guide:")]
        window.report.repair_requested.emit("admin_penalty", row)


def _a4_pages(report: CreditReport) -> int:
    """The A4 report's pages, as the terminal counts them for the print choice."""
    from devices.printers.cups import count_pages
    from kiosk.documents.report_pdf import build_report_pdf

    printed_at = dt.datetime.now(CHINA_TIME)
    pdf = build_report_pdf(
        report, terminal_id="XT-DEMO-001", printed_at=printed_at, verify_url="https://verify"
    )
    return count_pages(pdf)


def _face_frame() -> CameraFrame:
    """A live frame of the face check, asked to blink: a drawn head in the middle (the
    screenshots need no photo; the guidance is given, not detected)."""
    import cv2
    import numpy as np

    frame = np.full((480, 640, 3), (190, 200, 205), np.uint8)
    cv2.rectangle(frame, (140, 400), (500, 480), (120, 80, 40), -1)  # shoulders
    cv2.ellipse(frame, (320, 230), (95, 125), 0, 0, 360, (150, 180, 225), -1)  # face
    cv2.ellipse(frame, (320, 150), (100, 60), 0, 180, 360, (40, 40, 50), -1)  # hair
    for x in (285, 355):
        cv2.ellipse(frame, (x, 215), (16, 9), 0, 0, 360, (60, 50, 40), -1)  # eyes
    cv2.ellipse(frame, (320, 300), (32, 12), 0, 0, 180, (80, 80, 170), 4)  # smile
    assessment = Assessment(Hint.HOLD_STILL, ((225, 105, 190, 250),))
    return camera_frame(FacePreview(frame, assessment, FaceStage.BLINKING, 15.0))


def _wait(app: QApplication, done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: {what} not shown within {WAIT_S:g} s")
        app.processEvents()
        time.sleep(0.01)
    _settle(app)


def _technician_screens() -> Iterator[tuple[str, KioskWindow]]:
    """Technician mode over a running core (simulated devices, the sandbox platform): what the
    screens show are the checks' real results. Landscape: a healthy terminal (the README's
    green summary). Portrait: the same terminal after a printer fault kept an A4 job and the
    platform refused an outbox item, so the summary, kept-jobs and outbox screens show them."""
    app = application()
    with DemoEnvironment(
        reader_options={"read_delay_s": 0.0}, printer_options={"job_delay_s": 0.0}
    ) as demo:
        assert demo.settings is not None
        settings = demo.settings
        log_to_file = logging.FileHandler(demo.log_file, encoding="utf-8")
        log_to_file.setFormatter(MaskingFormatter(FORMAT))
        root = logging.getLogger()
        root.addHandler(log_to_file)  # the terminal area shows the tail of the kiosk's log
        level = root.level
        root.setLevel(logging.INFO)
        bridge = SessionBridge()
        runtime = build_runtime(settings, bridge.publish, bridge.publish_platform)
        desk = TechnicianDesk(settings, runtime.terminal, lambda: runtime, demo.log_file)
        window = KioskWindow(runtime.terminal, settings.terminal.hall_name, technician=desk)
        bridge.changed.connect(window.apply)
        screens = window.technician
        assert screens is not None
        panel = screens.panel
        printer = panel.pages[Area.RECEIPT_PRINTER.value]
        assert isinstance(printer, DevicePage)
        try:
            runtime.start()
            runtime.terminal.wait_for_health_checks(WAIT_S)
            for orientation, (width, height) in SIZES.items():
                if orientation == "portrait":
                    _troubles(runtime)
                window.resize(width, height)
                window.show()
                _wait(app, lambda: window.view is not None, "the attract screen")
                for _ in range(TAPS):
                    screens.tap(10, 10, window.view)
                for digit in DEMO_TECHNICIAN_PIN:
                    screens.pad.keys[digit].click()
                _settle(app)
                yield f"{orientation}-20-technician-pin", window
                screens.pad.ok.click()
                _wait(app, lambda: window.stack.currentWidget() is panel, "the panel")
                for index, key in enumerate(panel.pages, start=21):
                    panel.show_area(key)
                    page = panel.pages[key]
                    _wait(app, lambda p=page: not p.busy, f"the {key} area")  # type: ignore[misc]
                    if isinstance(page, DeviceTestsPage):  # the test prints' results
                        for action in (page.receipt, page.a4):
                            action.click()
                            _wait(app, lambda p=page: not p.busy, "a test print")  # type: ignore[misc]
                    yield f"{orientation}-{index}-technician-{key.replace('_', '-')}", window
                panel.show_area(Area.RECEIPT_PRINTER.value)
                _wait(app, lambda: not printer.busy, "the receipt printer")
                printer.interactive.click()
                _wait(app, lambda: panel.areas.currentWidget() is panel.question, "the question")
                yield f"{orientation}-{index + 1}-technician-question", window
                panel.question.yes.click()
                _wait(app, lambda: not printer.busy, "the answered check")
                screens.leave()
                _settle(app)
        finally:
            window.close()
            desk.stop()
            runtime.stop()
            root.removeHandler(log_to_file)
            root.setLevel(level)
            log_to_file.close()


def _troubles(runtime: Runtime) -> None:
    """An A4 job kept through a printer fault, and an outbox item the platform refused."""
    settings = runtime.settings
    kept = KeptJobStore(
        settings.terminal.state_dir / KEPT_JOBS_DIR, read_secret(settings.terminal.secret_file)
    )
    kept.keep(b"%PDF-1.4 a report kept through paper out", "report kept")
    fault = DeviceFault(
        code="paper_out",
        message="the receipt printer is out of paper",
        hint="load a new roll",
        at=dt.datetime.now(dt.UTC),
        terminal_id="XT-UNKNOWN-9",
    )
    key = enqueue(runtime.outbox, fault)
    runtime.outbox.move_to_dead_letter(
        key, "REJECTED: terminal_id XT-UNKNOWN-9 is not this terminal"
    )


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
        if readme_dir is not None and in_readme(name):
            small = image.scaledToWidth(
                image.width() // 2, Qt.TransformationMode.SmoothTransformation
            )
            small.save(str(readme_dir / f"{name}.png"), "PNG", 0)  # 0: smallest file
            written.append(readme_dir / f"{name}.png")
    return written
