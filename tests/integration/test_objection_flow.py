"""Objections and repair guidance through the terminal (no Qt): simulated devices, the
sandbox process, the outbox and its drain. The session stays on the report throughout."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest

from devices.printers.base import PrintResult
from kiosk.contract import ObjectionReason
from kiosk.demo import DemoEnvironment
from kiosk.documents.objection_prints import (
    guidance_sheet,
    objection_sheet,
    sheet_pdf,
    sheet_receipt,
)
from kiosk.logs import FORMAT, MaskingFormatter
from kiosk.objections import NotObjectable, RecordRef
from kiosk.session import PrintKind, State
from sandbox import population
from tests.integration.test_terminal_flow import Kiosk

PHONE = "13912348765"
WAIT_S = 15.0


@pytest.fixture
def kiosk(demo: DemoEnvironment) -> Iterator[Kiosk]:
    k = Kiosk(demo, probe_interval_s=0.3)
    yield k
    k.runtime.stop()


@pytest.fixture
def every_log_line(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Every log line of the test, formatted as the kiosk formats them, raw and masked."""
    caplog.set_level(logging.DEBUG)
    lines: list[str] = []
    yield lines
    formatter = logging.Formatter(FORMAT)
    for record in caplog.records:
        lines.append(formatter.format(record))
        lines.append(MaskingFormatter(FORMAT).format(record))


def _reason(kiosk: Kiosk, label: str) -> ObjectionReason:
    reasons = kiosk.runtime.terminal.objection_reasons().result(WAIT_S)
    return next(r for r in reasons if r.label == label)


def test_online_objection_prints_its_receipt_and_the_session_stays_on_the_report(
    kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    kiosk.reader.lay_card("r02")
    kiosk.wait_for(State.SHOWING)
    terminal = kiosk.runtime.terminal
    outcome = terminal.file_objection(
        RecordRef("admin_penalty", 1), _reason(kiosk, "非本人"), PHONE
    ).result(WAIT_S)
    assert outcome.accepted is not None and outcome.accepted.status == "accepted"
    assert outcome.phone_masked == "139****8765" and outcome.reason == "非本人"
    assert not [i for i in kiosk.runtime.outbox.peek(100) if i.kind == "objection"]
    sheet = objection_sheet(outcome, terminal.terminal_id, outcome.filed_at)
    printed = terminal.print_sheet(sheet_receipt(sheet), lambda: sheet_pdf(sheet)).result(WAIT_S)
    assert isinstance(printed, PrintResult) and printed.confirmed
    assert sorted(p.suffix for p in demo.printed_dir.iterdir()) == [".bin", ".png"]
    # printing did not end the session: the report can still be printed or objected to
    terminal.print_report(frozenset({PrintKind.A4}))
    kiosk.wait_for(State.DONE)


def test_queued_offline_then_delivered_exactly_once_and_shown_later(
    kiosk: Kiosk, demo: DemoEnvironment, every_log_line: list[str]
) -> None:
    assert demo.sandbox is not None and demo.settings is not None
    kiosk.wait_for_platform(available=True)
    kiosk.reader.lay_card("r02")
    kiosk.wait_for(State.SHOWING)
    terminal = kiosk.runtime.terminal
    reasons = terminal.objection_reasons().result(WAIT_S)
    demo.set_outage(True)
    # while the platform is away the list it last sent still offers the reasons
    assert terminal.objection_reasons().result(WAIT_S) == reasons
    reason = next(r for r in reasons if r.label == "信息错误")

    outcome = terminal.file_objection(RecordRef("black_list", 0), reason, PHONE).result(WAIT_S)
    assert outcome.accepted is None, "queued: 已受理，待上传"
    (queued,) = [i for i in kiosk.runtime.outbox.peek(100) if i.kind == "objection"]
    assert queued.payload["row"] == 0 and "phone" not in queued.payload
    assert PHONE not in repr(queued.payload)
    outbox_files = list(demo.settings.terminal.state_dir.glob("outbox.sqlite3*"))
    assert outbox_files and all(PHONE.encode() not in f.read_bytes() for f in outbox_files)

    kiosk.wait_for_platform(available=False, timeout=WAIT_S)
    demo.set_outage(False)
    kiosk.wait_for_platform(available=True, timeout=WAIT_S)
    kiosk.wait_until_drained(timeout=WAIT_S)
    kiosk.runtime.drainer.nudge()  # a second drain round sends nothing twice
    assert demo.sandbox.state()["events_by_kind"].get("objection") == 1

    terminal.end_session()
    kiosk.wait_for(State.IDLE)
    kiosk.reader.remove_card()
    kiosk.reader.lay_card("r02")
    later = kiosk.views_until(lambda v: v.state in (State.SHOWING, State.FAILED))[-1]
    assert later.failure is None, later.failure
    assert later.report is not None
    assert later.report.section("black_list").objections == (0,)

    sandbox_log = demo.sandbox.log_file.read_text(encoding="utf-8")
    for line in [*every_log_line, sandbox_log]:
        assert PHONE not in line


def test_repair_guidance_through_the_terminal(
    kiosk: Kiosk, demo: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = population.richest_resident()
    kiosk.reader.lay_card(resident.key)
    kiosk.wait_for(State.SHOWING)
    terminal = kiosk.runtime.terminal
    court = resident.rows("black_list").index(
        next(r for r in resident.rows("black_list") if r[0] == "失信被执行人")
    )
    guidance = terminal.repair_guidance(RecordRef("black_list", court)).result(WAIT_S)
    assert guidance.rule is not None and guidance.rule.status == "not_repairable"
    assert guidance.record.startswith(f"失信惩戒/黑名单 第{court + 1}条")
    sheet = guidance_sheet(guidance, terminal.terminal_id, dt.datetime.now(dt.UTC))
    printed = terminal.print_sheet(sheet_receipt(sheet), lambda: sheet_pdf(sheet)).result(WAIT_S)
    assert printed.confirmed
    # only the A4 printer healthy: the guidance sheet comes out as one A4 page
    monkeypatch.setattr(terminal, "_printable", lambda: frozenset({PrintKind.A4}))
    terminal.print_sheet(sheet_receipt(sheet), lambda: sheet_pdf(sheet)).result(WAIT_S)
    (page,) = demo.printed_dir.glob("*.pdf")
    assert page.read_bytes().count(b"/Type /Page\n") == 1
    with pytest.raises(NotObjectable):
        terminal.repair_guidance(RecordRef("honors", 0)).result(WAIT_S)
