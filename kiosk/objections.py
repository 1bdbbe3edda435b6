"""Objections (信用异议) and credit-repair guidance (信用修复) for a record on screen.

What the terminal needs beyond the platform client: an objection request with its own
idempotency key, the outcome the screens and the receipt show (the phone only masked), and
the outbox payload an objection becomes when the platform cannot be reached (the phone
sealed for the platform, ``kiosk.platform.sealing``), delivered once under the same key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from kiosk.contract import (
    SECTION_BY_KEY,
    CreditReport,
    Objection,
    ObjectionAccepted,
    ObjectionReason,
    ObjectionRequest,
    RepairRule,
    validated,
)
from kiosk.privacy import is_mobile_number, mask_phone

OBJECTABLE_SECTIONS = frozenset(SECTION_BY_KEY) - {"basic"}
REPAIR_SECTIONS = frozenset({"admin_penalty", "black_list"})


class NotObjectable(ValueError):
    """The record cannot be objected to (基础信息, or no such row), or the phone is not a
    mainland mobile number: a bug in the screen that asked."""


@dataclass(frozen=True)
class RecordRef:
    """One record of the report on screen: its section key and row index there."""

    section: str
    row: int

    def describe(self, report: CreditReport) -> str:
        """What the record is, for a screen or a print: section, row and its first cell
        (a decision number, a list name…)."""
        section = report.section(self.section)
        return f"{section.title} 第{self.row + 1}条：{section.rows[self.row][0]}"


@dataclass(frozen=True, repr=False)
class ObjectionOutcome:
    """An objection as the resident's screen and receipt show it: ``accepted`` is the
    platform's answer, or None when it waits in the outbox (已受理，待上传)."""

    report_no: str
    record: str
    """``RecordRef.describe``."""
    reason: str
    """The reason's label (信息错误 …)."""
    phone_masked: str
    reference: str
    """The objection's own reference (from its idempotency key), for a queued objection."""
    filed_at: dt.datetime
    accepted: ObjectionAccepted | None

    def __repr__(self) -> str:
        state = self.accepted.acceptance_no if self.accepted else "queued"
        return f"ObjectionOutcome({self.report_no}, {state})"


@dataclass(frozen=True, repr=False)
class RepairOutcome:
    """The platform's rule for a record (None: it sent none: 请咨询窗口)."""

    report_no: str
    record: str
    rule: RepairRule | None

    def __repr__(self) -> str:
        return f"RepairOutcome({self.report_no}, {self.rule.status if self.rule else 'none'})"


def objection_request(
    report: CreditReport, record: RecordRef, reason: ObjectionReason, phone: str
) -> ObjectionRequest:
    """A validated request with a fresh idempotency key; ``phone`` may be empty."""
    section = report.section(record.section) if record.section in OBJECTABLE_SECTIONS else None
    if section is None or not 0 <= record.row < len(section.rows):
        raise NotObjectable(f"{record.section} row {record.row} cannot be objected to")
    if phone and not is_mobile_number(phone):
        raise NotObjectable("the phone is not a mainland mobile number")
    return validated(
        ObjectionRequest(
            report_no=report.report_no,
            section=record.section,
            row=record.row,
            reason=reason.code,
            idempotency_key=f"objection-{uuid.uuid4().hex}",
            phone=phone or None,
        )
    )


def outcome(
    request: ObjectionRequest,
    report: CreditReport,
    reason: ObjectionReason,
    accepted: ObjectionAccepted | None,
    filed_at: dt.datetime,
) -> ObjectionOutcome:
    record = RecordRef(request.section, request.row)
    return ObjectionOutcome(
        report_no=request.report_no,
        record=record.describe(report),
        reason=reason.label,
        phone_masked=mask_phone(request.phone) if request.phone else "",
        reference=request.idempotency_key.removeprefix("objection-")[:12].upper(),
        filed_at=filed_at,
        accepted=accepted,
    )


def queued_objection(
    request: ObjectionRequest, terminal_id: str, secret: bytes, filed_at: dt.datetime
) -> Objection:
    """The outbox payload of an objection the platform could not take now."""
    from kiosk.platform.sealing import seal  # start-up: cryptography loads on first use

    key = request.idempotency_key
    return Objection(
        report_no=request.report_no,
        section=request.section,
        row=request.row,
        reason=request.reason,
        terminal_id=terminal_id,
        filed_at=filed_at,
        phone_sealed=None if request.phone is None else seal(secret, key, request.phone),
    )
