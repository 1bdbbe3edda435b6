"""The OpenAPI 3.1 document the sandbox serves, generated from the contract's Structs.

Schemas come from ``kiosk.contract`` through ``msgspec.json.schema_components``; this module
adds only what the models cannot say: the paths, their status codes and security, and one
example per request and reply, built from the synthetic population and encoded by the same
Structs (so every example is valid by construction; a test decodes each one again).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import msgspec

from kiosk.contract import (
    ConsentEvent,
    ConsentRecord,
    CreditReport,
    DeviceFault,
    DeviceFaultEvent,
    DeviceHealth,
    DrainState,
    EnterpriseReportRequest,
    Error,
    EventsAck,
    FaceCheck,
    FaceCheckEvent,
    FaceVerificationReply,
    FaceVerificationRequest,
    FleetTerminal,
    FleetTerminals,
    HeartbeatEvent,
    Notices,
    Objection,
    ObjectionAccepted,
    ObjectionEvent,
    ObjectionReasons,
    ObjectionRequest,
    OutboxState,
    PrintRecord,
    PrintRecordEvent,
    PrintRecordReceipt,
    PrintRecordRequest,
    PublicLists,
    QueryRecord,
    QueryRecordEvent,
    RepairGuidance,
    RepairRule,
    ResidentSession,
    ResidentSessionRequest,
    StaffAlert,
    StaffAlertEvent,
    TechnicianAction,
    TechnicianActionEvent,
    TerminalEventsRequest,
    TerminalHeartbeat,
    TerminalPing,
    UpdateState,
    UpdateStep,
    UpdateStepEvent,
)
from kiosk.platform.signing import MAX_SKEW_S
from sandbox import population
from sandbox.public_content import lists_payload, notices_payload
from sandbox.records import REFERENCE_DATE
from sandbox.repair_rules import rule_for
from sandbox.store import OBJECTION_REASONS

ERRORS: dict[int, tuple[str, Error]] = {
    400: (
        "INVALID_REQUEST, INVALID_USCC",
        Error("INVALID_REQUEST", "Expected `int` >= 0 - at `$.pages`"),
    ),
    401: (
        "UNKNOWN_TERMINAL, CLOCK_SKEW, NONCE_REUSED, BAD_SIGNATURE",
        Error("CLOCK_SKEW", f"timestamp is more than {MAX_SKEW_S} s off"),
    ),
    403: (
        "IDENTITY_MISMATCH, NOT_LEGAL_REPRESENTATIVE",
        Error("IDENTITY_MISMATCH", "card does not match the registered card"),
    ),
    404: (
        "REPORT_NOT_FOUND, ENTERPRISE_NOT_FOUND, NOT_FOUND",
        Error("REPORT_NOT_FOUND", "no report with this number"),
    ),
    409: (
        "IDEMPOTENCY_CONFLICT",
        Error("IDEMPOTENCY_CONFLICT", "key was used for a different record"),
    ),
    413: ("PAYLOAD_TOO_LARGE", Error("PAYLOAD_TOO_LARGE", "at most 500 events")),
    429: ("RATE_LIMITED, with Retry-After", Error("RATE_LIMITED", "too many requests")),
    500: ("INTERNAL_ERROR", Error("INTERNAL_ERROR", "internal error")),
    503: (
        "SERVICE_UNAVAILABLE, may carry Retry-After",
        Error("SERVICE_UNAVAILABLE", "platform is under maintenance"),
    ),
}
"""Per status: the codes it may carry, and an example."""

_EXAMPLE_TIME = dt.datetime(2025, 10, 31, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
_EXAMPLE_REPORT_NO = "XT20251031000001"
_EXAMPLE_TERMINAL = "XT-QY-0001"
_SIGNED: dict[str, list[str]] = {"terminalId": [], "timestamp": [], "nonce": [], "signature": []}
_SCHEMA_TYPES = (
    Error,
    ResidentSessionRequest,
    ResidentSession,
    FaceVerificationRequest,
    FaceVerificationReply,
    CreditReport,
    EnterpriseReportRequest,
    PrintRecordRequest,
    PrintRecordReceipt,
    TerminalEventsRequest,
    EventsAck,
    Notices,
    PublicLists,
    TerminalPing,
    FleetTerminals,
    ObjectionReasons,
    ObjectionRequest,
    ObjectionAccepted,
    RepairGuidance,
)


def _ref(body_type: type[msgspec.Struct]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{body_type.__name__}"}


def _json(body_type: type[msgspec.Struct], example: msgspec.Struct, text: str) -> dict[str, Any]:
    content = {"schema": _ref(body_type), "example": msgspec.to_builtins(example)}
    return {"description": text, "content": {"application/json": content}}


def _errors(*statuses: int, token: bool = False) -> dict[str, Any]:
    answers = {}
    for status in statuses:
        codes, example = ERRORS[status]
        if status == 401 and token:
            codes += ", TOKEN_INVALID, TOKEN_EXPIRED"
        answers[str(status)] = _json(Error, example, f"error: {codes}")
    return answers


def _examples() -> dict[str, msgspec.Struct]:
    resident = population.by_key("r03")  # red list: a report with rows in several sections
    card = resident.card()
    report = population.build_report(resident, _EXAMPLE_REPORT_NO, "K7M2Q9PX", _EXAMPLE_TIME)
    enterprise = population.represented_by("r07")[0]
    enterprise_report = population.build_enterprise_report(
        enterprise, population.by_key("r07"), "XT20251031000002", "R4T8W2NQ", _EXAMPLE_TIME
    )
    outbox = OutboxState(3, 20_000, False, False, 0, {"query_record": 3}, {}, 12, None, False)
    events = (
        QueryRecordEvent(
            idempotency_key="9b2f0c4e",
            occurred_at=_EXAMPLE_TIME,
            payload=QueryRecord(
                outcome="shown",
                subject="0f3c9a1b2d4e5f60718293a4b5c6d7e8",
                id_masked=report.subject_id_masked,
                terminal_id=_EXAMPLE_TERMINAL,
                queried_at=_EXAMPLE_TIME,
                report_no=_EXAMPLE_REPORT_NO,
            ),
        ),
        PrintRecordEvent(
            idempotency_key="5d1e7a20",
            occurred_at=_EXAMPLE_TIME,
            payload=PrintRecord(
                _EXAMPLE_REPORT_NO, "receipt", 1, True, _EXAMPLE_TERMINAL, _EXAMPLE_TIME
            ),
        ),
        DeviceFaultEvent(
            idempotency_key="c4a8e611",
            occurred_at=_EXAMPLE_TIME,
            payload=DeviceFault(
                code="paper_low",
                message="receipt paper is running low",
                hint="load a new roll soon",
                at=_EXAMPLE_TIME,
                terminal_id=_EXAMPLE_TERMINAL,
                device="receipt_printer",
            ),
        ),
        TechnicianActionEvent(
            idempotency_key="e07b3f95",
            occurred_at=_EXAMPLE_TIME,
            payload=TechnicianAction("requeue_dead_letter", _EXAMPLE_TIME, _EXAMPLE_TERMINAL),
        ),
        HeartbeatEvent(
            idempotency_key="heartbeat-71c2",
            occurred_at=_EXAMPLE_TIME,
            payload=TerminalHeartbeat(
                version="1.0.0",
                outbox=outbox,
                drain=DrainState(3, _EXAMPLE_TIME, 0, None),
                devices={"card_reader": "IDLE", "receipt_printer": "IDLE"},
                health={
                    "receipt_printer": DeviceHealth(
                        False, "paper out; load paper", _EXAMPLE_TIME, "paper_out"
                    )
                },
                update=UpdateState("pending_commit", "1.0.1"),
                last_session_at=_EXAMPLE_TIME,
            ),
        ),
        ObjectionEvent(
            idempotency_key="objection-3f9a61c2",
            occurred_at=_EXAMPLE_TIME,
            payload=Objection(
                report_no=_EXAMPLE_REPORT_NO,
                section="red_list",
                row=0,
                reason="wrong_information",
                terminal_id=_EXAMPLE_TERMINAL,
                filed_at=_EXAMPLE_TIME,
                phone_sealed="jtb6M9UW3HX1HwUvPSQRtoCl66nJiA-7TvuB-qkBiq2yqNNzORsS",
            ),
        ),
        UpdateStepEvent(
            idempotency_key="update-1.0.1-installed",
            occurred_at=_EXAMPLE_TIME,
            payload=UpdateStep(
                step="installed",
                version="1.0.1",
                at=_EXAMPLE_TIME,
                terminal_id=_EXAMPLE_TERMINAL,
                running="1.0.0",
            ),
        ),
        ConsentEvent(
            idempotency_key="consent-4d2a",
            occurred_at=_EXAMPLE_TIME,
            payload=ConsentRecord(
                text_version="2026-12-01",
                subject="0f3c9a1b2d4e5f60718293a4b5c6d7e8",
                id_masked=report.subject_id_masked,
                terminal_id=_EXAMPLE_TERMINAL,
                consented_at=_EXAMPLE_TIME,
            ),
        ),
        StaffAlertEvent(
            idempotency_key="staff-9e31",
            occurred_at=_EXAMPLE_TIME,
            payload=StaffAlert(_EXAMPLE_TERMINAL, "showing", "report", _EXAMPLE_TIME),
        ),
        FaceCheckEvent(
            idempotency_key="face-7e31c0",
            occurred_at=_EXAMPLE_TIME,
            payload=FaceCheck(
                outcome="match", attempts=1, terminal_id=_EXAMPLE_TERMINAL, at=_EXAMPLE_TIME
            ),
        ),
    )
    fleet = FleetTerminals(
        terminals=(
            FleetTerminal(
                terminal_id=_EXAMPLE_TERMINAL,
                last_seen_at=_EXAMPLE_TIME,
                version="1.0.0",
                update=UpdateState("pending_commit", "1.0.1"),
                devices_ok=False,
                unhealthy=("receipt_printer",),
                outbox_depth=3,
                last_session_at=_EXAMPLE_TIME,
            ),
        ),
        generated_at=_EXAMPLE_TIME,
    )
    return {
        "session_request": ResidentSessionRequest(
            card.id_number,
            card.name,
            "resident",
            "long_term" if card.valid_to is None else card.valid_to.isoformat(),
        ),
        "session": ResidentSession("q3Jx0v6nV1yH8s2kT9cA4eRw7LbZ5mPd", 600),
        # the first bytes of a JPEG only: a real example would be a face
        "face_request": FaceVerificationRequest(b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        "face_reply": FaceVerificationReply("match", 0.97),
        "report": report,
        "enterprise_request": EnterpriseReportRequest(enterprise.uscc),
        "enterprise_report": enterprise_report,
        "print_request": PrintRecordRequest("receipt", _EXAMPLE_TIME, 1, True),
        "print_receipt": PrintRecordReceipt("5d1e7a20", "recorded"),
        "events": TerminalEventsRequest(list(events)),
        "events_ack": EventsAck(tuple(e.idempotency_key for e in events), (), ()),
        "notices": msgspec.convert(notices_payload(), Notices),
        "lists": msgspec.convert(lists_payload(), PublicLists),
        "ping": TerminalPing(_EXAMPLE_TERMINAL, _EXAMPLE_TIME),
        "fleet": fleet,
        "objection_reasons": OBJECTION_REASONS,
        "objection": ObjectionRequest(
            report_no=_EXAMPLE_REPORT_NO,
            section="red_list",
            row=0,
            reason="wrong_information",
            idempotency_key="objection-3f9a61c2",
            phone="13800001234",
        ),
        "objection_accepted": ObjectionAccepted(
            "YY20251031000001", _EXAMPLE_TIME.date() + dt.timedelta(days=15), "accepted"
        ),
        "repair_guidance": _repair_example(),
    }


def _repair_example() -> RepairGuidance:
    """The rule for the first 行政处罚 of the resident with the most records."""
    row = population.richest_resident().rows("admin_penalty")[0]
    rule = rule_for("admin_penalty", row, REFERENCE_DATE)
    assert isinstance(rule, RepairRule)
    return RepairGuidance(_EXAMPLE_REPORT_NO, "admin_penalty", 0, rule)


def _cacheable(body_type: type[msgspec.Struct], example: msgspec.Struct, summary: str) -> Any:
    return {
        "get": {
            "summary": summary,
            "security": [_SIGNED],
            "parameters": [{"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}],
            "responses": {
                "200": _json(body_type, example, "content, with ETag and Cache-Control"),
                "304": {"description": "not modified since the ETag given"},
                **_errors(401, 429, 500, 503),
            },
        }
    }


def _paths() -> dict[str, Any]:
    example = _examples()
    report_no = {"name": "report_no", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/v1/resident-sessions": {
            "post": {
                "summary": "Open a resident session with the card evidence",
                "security": [_SIGNED],
                "requestBody": {
                    "required": True,
                    **_json(ResidentSessionRequest, example["session_request"], "card"),
                },
                "responses": {
                    "201": _json(ResidentSession, example["session"], "session opened"),
                    **_errors(400, 401, 403, 429, 500, 503),
                },
            }
        },
        "/api/v1/face-verifications": {
            "post": {
                "summary": "Compare the face in front of the kiosk with the card holder's photo "
                "(the image is compared and not kept; the sandbox uses a documented stand-in "
                "rule, sandbox/faces.py)",
                "security": [{**_SIGNED, "residentToken": []}],
                "requestBody": {
                    "required": True,
                    **_json(FaceVerificationRequest, example["face_request"], "the face, JPEG"),
                },
                "responses": {
                    "200": _json(FaceVerificationReply, example["face_reply"], "the verdict"),
                    **_errors(400, 401, 413, 429, 500, 503, token=True),
                },
            }
        },
        "/api/v1/reports/person": {
            "get": {
                "summary": "The resident's public credit information report (a fresh report_no)",
                "security": [{**_SIGNED, "residentToken": []}],
                "responses": {
                    "200": _json(CreditReport, example["report"], "the report"),
                    **_errors(401, 429, 500, 503, token=True),
                },
            }
        },
        "/api/v1/enterprise-reports": {
            "post": {
                "summary": "An enterprise's public credit information report (a fresh "
                "report_no), for the resident only if they are its registered legal "
                "representative (403 NOT_LEGAL_REPRESENTATIVE otherwise)",
                "security": [{**_SIGNED, "residentToken": []}],
                "requestBody": {
                    "required": True,
                    **_json(EnterpriseReportRequest, example["enterprise_request"], "code"),
                },
                "responses": {
                    "200": _json(CreditReport, example["enterprise_report"], "the report"),
                    **_errors(400, 401, 403, 404, 429, 500, 503, token=True),
                },
            }
        },
        "/api/v1/reports/{report_no}/print-records": {
            "post": {
                "summary": "Record what was printed (deduplicated by Idempotency-Key)",
                "security": [_SIGNED],
                "parameters": [
                    report_no,
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                    },
                ],
                "requestBody": {
                    "required": True,
                    **_json(PrintRecordRequest, example["print_request"], "print"),
                },
                "responses": {
                    "201": _json(PrintRecordReceipt, example["print_receipt"], "recorded"),
                    "200": _json(
                        PrintRecordReceipt,
                        PrintRecordReceipt("5d1e7a20", "duplicate"),
                        "already recorded under this key",
                    ),
                    **_errors(400, 401, 404, 409, 429, 500, 503),
                },
            }
        },
        "/api/v1/terminal-events": {
            "post": {
                "summary": "Batched outbox items; each is accepted, a duplicate, or rejected "
                "(an event that does not match its kind is rejected alone)",
                "security": [_SIGNED],
                "requestBody": {
                    "required": True,
                    **_json(TerminalEventsRequest, example["events"], "batch"),
                },
                "responses": {
                    "200": _json(EventsAck, example["events_ack"], "per-item outcome"),
                    **_errors(400, 401, 413, 429, 500, 503),
                },
            }
        },
        "/api/v1/objections/reasons": {
            "get": {
                "summary": "The objection reasons the platform accepts, in its order",
                "security": [_SIGNED],
                "responses": {
                    "200": _json(ObjectionReasons, example["objection_reasons"], "reasons"),
                    **_errors(401, 429, 500, 503),
                },
            }
        },
        "/api/v1/objections": {
            "post": {
                "summary": "File an objection (信用异议) to one row of a report issued to the "
                "resident; filed once per idempotency_key (also against the same key "
                "delivered later as an `objection` terminal event)",
                "security": [{**_SIGNED, "residentToken": []}],
                "requestBody": {
                    "required": True,
                    **_json(ObjectionRequest, example["objection"], "objection"),
                },
                "responses": {
                    "201": _json(ObjectionAccepted, example["objection_accepted"], "accepted"),
                    "200": _json(
                        ObjectionAccepted,
                        msgspec.structs.replace(example["objection_accepted"], status="duplicate"),
                        "already filed under this key",
                    ),
                    **_errors(400, 401, 404, 429, 500, 503, token=True),
                },
            }
        },
        "/api/v1/reports/{report_no}/repair-guidance": {
            "get": {
                "summary": "The credit-repair rule (信用修复) for one record of a report issued "
                "to the resident; rule is null when the platform has none",
                "security": [{**_SIGNED, "residentToken": []}],
                "parameters": [
                    report_no,
                    {
                        "name": "section",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {"name": "row", "in": "query", "required": True, "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": _json(RepairGuidance, example["repair_guidance"], "the rule"),
                    **_errors(400, 401, 404, 429, 500, 503, token=True),
                },
            }
        },
        "/api/v1/public/notices": _cacheable(Notices, example["notices"], "信用新泰 notices"),
        "/api/v1/public/lists": _cacheable(
            PublicLists, example["lists"], "Red and black list publicity"
        ),
        "/api/v1/terminal/ping": {
            "get": {
                "summary": "A signed request the platform answers with its clock: the "
                "technician's check that this terminal's credential and clock are accepted",
                "security": [_SIGNED],
                "responses": {
                    "200": _json(TerminalPing, example["ping"], "the platform's time"),
                    **_errors(401, 429, 500, 503),
                },
            }
        },
        "/api/v1/verify/{report_no}": {
            "get": {
                "summary": "Verification page the receipt's QR code opens (public, HTML)",
                "security": [],
                "parameters": [
                    report_no,
                    {"name": "code", "in": "query", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "the report is genuine", "content": {"text/html": {}}},
                    "404": {"description": "no report with this number and code"},
                },
            }
        },
        "/api/v1/fleet/terminals": {
            "get": {
                "summary": "Fleet status for operators: each terminal's latest heartbeat "
                "(version, update state, device health, outbox depth, last session)",
                "security": [{"operatorToken": []}],
                "responses": {
                    "200": _json(FleetTerminals, example["fleet"], "every terminal heard of"),
                    "401": _json(
                        Error,
                        Error("OPERATOR_TOKEN_INVALID", "an operator bearer token is required"),
                        "error: OPERATOR_TOKEN_INVALID",
                    ),
                    "403": _json(
                        Error,
                        Error("FORBIDDEN", "fleet status needs an operator token configured"),
                        "error: FORBIDDEN (no operator token configured)",
                    ),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document (public)",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document"}},
            }
        },
    }


_SECURITY_SCHEMES = {
    "terminalId": {"type": "apiKey", "in": "header", "name": "X-Terminal-Id"},
    "timestamp": {"type": "apiKey", "in": "header", "name": "X-Timestamp"},
    "nonce": {"type": "apiKey", "in": "header", "name": "X-Nonce"},
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Signature",
        "description": "hex HMAC-SHA256(terminal secret, METHOD, path, canonical query, "
        f"timestamp, nonce, hex sha256(body) joined by newlines); timestamps more than "
        f"{MAX_SKEW_S} s off and reused nonces are refused",
    },
    "residentToken": {"type": "http", "scheme": "bearer"},
    "operatorToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "the operators' token configured on the platform (sandbox: "
        "--operator-token-file), not a terminal's signature",
    },
}


@functools.cache
def _document_body() -> dict[str, Any]:
    _, schemas = msgspec.json.schema_components(
        _SCHEMA_TYPES, ref_template="#/components/schemas/{name}"
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "信用新泰 public credit platform — terminal API (sandbox)",
            "version": "1.0.0",
        },
        "paths": _paths(),
        "components": {"schemas": schemas, "securitySchemes": _SECURITY_SCHEMES},
        "security": [_SIGNED],
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    return {**_document_body(), "servers": [{"url": server_url}]}
