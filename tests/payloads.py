"""Valid outbox payloads of every kind, for tests that queue items."""

from __future__ import annotations

import datetime as dt

from kiosk.contract import (
    ConsentRecord,
    DeviceFault,
    DrainState,
    OutboxState,
    PrintRecord,
    QueryRecord,
    StaffAlert,
    TechnicianAction,
    TerminalHeartbeat,
)

AT = dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC)
TERMINAL = "XT-TEST-01"
REPORT_NO = "XT20261124000001"


def query_record(report_no: str | None = None) -> QueryRecord:
    return QueryRecord(
        outcome="shown" if report_no else "failed_timeout",
        subject="0123456789abcdef0123456789abcdef",
        id_masked="3709**********123X",
        terminal_id=TERMINAL,
        queried_at=AT,
        report_no=report_no,
    )


def print_record(report_no: str = REPORT_NO, pages: int = 1) -> PrintRecord:
    return PrintRecord(report_no, "receipt", pages, True, TERMINAL, AT)


def device_fault(code: str = "paper_low", message: str = "receipt paper is low") -> DeviceFault:
    return DeviceFault(code, message, "load a new roll", AT, TERMINAL, "receipt_printer")


def technician_action(action: str = "requeue_dead_letter") -> TechnicianAction:
    return TechnicianAction(action, AT, TERMINAL)


def heartbeat(devices: dict[str, str] | None = None) -> TerminalHeartbeat:
    """``devices`` may be large: the only payload field without a length limit."""
    outbox = OutboxState(0, 20_000, False, False, 0, {}, {}, None, None, False)
    return TerminalHeartbeat(
        "1.0.0", outbox, DrainState(0, None, 0, None), devices or {"card_reader": "IDLE"}
    )


def consent() -> ConsentRecord:
    return ConsentRecord(
        "2026-12-01", "0123456789abcdef0123456789abcdef", "3709**********123X", TERMINAL, AT
    )


def staff_alert() -> StaffAlert:
    return StaffAlert(TERMINAL, "showing", "report", AT)
