"""What the sandbox platform remembers (in memory only) and the rules it applies.

``PlatformStore`` holds resident sessions, issued reports (only what the verification page
shows: masked), print records, terminal events and recently seen nonces. Every method is
thread-safe. Refusals are ``ApiError``s carrying the contract's HTTP status and code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from devices.idcard.idnumber import is_valid_id_number, mask_id_number, mask_name
from kiosk.platform.signing import MAX_SKEW_S
from kiosk.report_model import CHINA_TIME, CreditReport
from sandbox import population
from sandbox.openapi import EVENT_KINDS

MAX_EVENTS_PER_BATCH = 500
_VERIFY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ApiError(Exception):
    """A refusal: HTTP status, stable code, and a message without personal data."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_REQUEST", message)


class SandboxState(TypedDict):
    """Counts for tests and the demo (also served as ``GET /__sandbox/state``)."""

    sessions: int
    reports: int
    print_records: int
    events_by_kind: dict[str, int]
    """Accepted terminal events by kind."""
    faults_pending: int


@dataclass(frozen=True)
class IssuedReport:
    report_no: str
    verify_code: str
    issued_at: dt.datetime
    name_masked: str
    id_masked: str


@dataclass(frozen=True)
class EventsAck:
    accepted: list[str]
    duplicates: list[str]
    rejected: list[dict[str, str]]


@dataclass(frozen=True)
class _Session:
    id_number: str
    name: str
    terminal_id: str
    expires_at: float


class PlatformStore:
    def __init__(self, token_ttl_s: float) -> None:
        self.token_ttl_s = token_ttl_s
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._reports: dict[str, IssuedReport] = {}
        self._prints: dict[tuple[str, str], str] = {}
        self._events: dict[tuple[str, str], str] = {}
        self._nonces: dict[tuple[str, str], float] = {}
        self._report_seq = 0

    def use_nonce(self, terminal_id: str, nonce: str, now: float) -> bool:
        """False when this terminal used ``nonce`` within the skew window."""
        with self._lock:
            horizon = now - 2 * MAX_SKEW_S
            for key in [k for k, seen in self._nonces.items() if seen < horizon]:
                del self._nonces[key]
            if (terminal_id, nonce) in self._nonces:
                return False
            self._nonces[(terminal_id, nonce)] = now
            return True

    def open_session(self, terminal_id: str, evidence: dict[str, Any]) -> str:
        """Check the card evidence (``POST /resident-sessions`` body) and return a token."""
        id_number, name = _check_evidence(evidence)
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            for old in [t for t, s in self._sessions.items() if s.expires_at < now - 3600]:
                del self._sessions[old]
            self._sessions[token] = _Session(id_number, name, terminal_id, now + self.token_ttl_s)
        return token

    def issue_report(self, terminal_id: str, token: str) -> CreditReport:
        """A fresh report for the session's resident, remembered for verification."""
        with self._lock:
            session = self._sessions.get(token)
        if session is None or session.terminal_id != terminal_id:
            raise ApiError(401, "TOKEN_INVALID", "resident session token is not valid")
        if time.monotonic() >= session.expires_at:
            raise ApiError(401, "TOKEN_EXPIRED", "resident session has expired")
        subject = population.find(session.id_number) or population.stranger(
            session.id_number, session.name
        )
        issued_at = dt.datetime.now(CHINA_TIME).replace(microsecond=0)
        verify_code = "".join(secrets.choice(_VERIFY_ALPHABET) for _ in range(8))
        with self._lock:
            self._report_seq += 1
            report_no = f"XT{issued_at:%Y%m%d}{self._report_seq:06d}"
            self._reports[report_no] = IssuedReport(
                report_no,
                verify_code,
                issued_at,
                mask_name(session.name),
                mask_id_number(session.id_number),
            )
        return population.build_report(subject, report_no, verify_code, issued_at)

    def verify(self, report_no: str, code: str) -> IssuedReport | None:
        with self._lock:
            issued = self._reports.get(report_no)
        if issued is None or not hmac.compare_digest(issued.verify_code.encode(), code.encode()):
            return None
        return issued

    def record_print(self, terminal_id: str, key: str, report_no: str, record: Any) -> bool:
        """True the first time ``key`` is seen, False for a duplicate of the same record."""
        if not 0 < len(key) <= 128:
            raise invalid("Idempotency-Key header is required")
        problem = _print_record_problem(record)
        if problem is not None:
            raise invalid(problem)
        digest = hashlib.sha256(json.dumps([report_no, record], sort_keys=True).encode())
        with self._lock:
            if report_no not in self._reports:
                raise ApiError(404, "REPORT_NOT_FOUND", "no report with this number")
            known = self._prints.get((terminal_id, key))
            if known is None:
                self._prints[(terminal_id, key)] = digest.hexdigest()
                return True
        if known != digest.hexdigest():
            raise ApiError(409, "IDEMPOTENCY_CONFLICT", "key was used for a different record")
        return False

    def record_events(self, terminal_id: str, events: Any) -> EventsAck:
        """Accept each new valid event once; duplicates and rejects are reported per item."""
        if not isinstance(events, list):
            raise invalid('body must be {"events": [...]}')
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", f"at most {MAX_EVENTS_PER_BATCH} events")
        ack = EventsAck([], [], [])
        with self._lock:
            for item in events:
                key, problem = _event_problem(item)
                if problem is not None:
                    code, message = problem
                    ack.rejected.append({"idempotency_key": key, "code": code, "message": message})
                elif (terminal_id, key) in self._events:
                    ack.duplicates.append(key)
                else:
                    self._events[(terminal_id, key)] = item["kind"]
                    ack.accepted.append(key)
        return ack

    def accepted_keys(self, terminal_id: str) -> dict[str, str]:
        """Idempotency key → kind of everything accepted from ``terminal_id`` (terminal
        events by their kind, print records as ``print_record``); read-only, for tests."""
        with self._lock:
            keys = {k: kind for (t, k), kind in self._events.items() if t == terminal_id}
            keys.update({k: "print_record" for (t, k) in self._prints if t == terminal_id})
        return keys

    def state(self, faults_pending: int) -> SandboxState:
        with self._lock:
            return SandboxState(
                sessions=len(self._sessions),
                reports=len(self._reports),
                print_records=len(self._prints),
                events_by_kind=dict(Counter(self._events.values())),
                faults_pending=faults_pending,
            )


# --- request checks --------------------------------------------------------------------------


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_aware_time(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


# Cards whose holders have an 18-character citizen-style number the platform files records by.
QUERYABLE_CARD_TYPES = ("resident", "hk_mo_tw")


def _check_evidence(evidence: dict[str, Any]) -> tuple[str, str]:
    """(ID number, name) from a well-formed card evidence that matches the registry."""
    if set(evidence) != {"id_number", "name", "card_type", "valid_to"}:
        raise invalid("need id_number, name, card_type, valid_to")
    id_number, name, valid_to = evidence["id_number"], evidence["name"], evidence["valid_to"]
    if not (isinstance(id_number, str) and is_valid_id_number(id_number)):
        raise invalid("id_number is not a valid resident ID number")
    if not _is_date(f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"):
        raise invalid("id_number does not hold a birth date")
    if not isinstance(name, str) or not 0 < len(name) <= 15 or name.strip() != name:
        raise invalid("name is empty, padded or too long")
    if evidence["card_type"] not in QUERYABLE_CARD_TYPES:
        raise invalid("card_type must be resident or hk_mo_tw")
    if not (valid_to == "long_term" or _is_date(valid_to)):
        raise invalid("valid_to must be YYYY-MM-DD or long_term")
    known = population.find(id_number)
    if known is not None:
        registered = "long_term" if known.valid_to is None else known.valid_to.isoformat()
        if known.name != name or registered != valid_to:
            raise ApiError(403, "IDENTITY_MISMATCH", "card does not match the registered card")
    return id_number, name


def _print_record_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "body is not a JSON object"
    if set(record) != {"kind", "printed_at", "pages", "confirmed"}:
        return "need kind, printed_at, pages, confirmed"
    if record["kind"] not in ("a4", "receipt"):
        return "kind must be a4 or receipt"
    if not _is_aware_time(record["printed_at"]):
        return "printed_at is not an ISO 8601 time with zone"
    pages = record["pages"]
    if isinstance(pages, bool) or not isinstance(pages, int) or not 0 <= pages <= 1000:
        return "pages must be an integer from 0 to 1000"
    if not isinstance(record["confirmed"], bool):
        return "confirmed must be true or false"
    return None


def _event_problem(item: Any) -> tuple[str, tuple[str, str] | None]:
    """The event's idempotency key and, if it must be rejected, (code, message)."""
    if not isinstance(item, dict):
        return "", ("INVALID_EVENT", "event is not an object")
    key = item.get("idempotency_key")
    if not isinstance(key, str) or not 0 < len(key) <= 128:
        return "", ("INVALID_EVENT", "idempotency_key must be 1 to 128 characters")
    if set(item) != {"idempotency_key", "kind", "occurred_at", "payload"}:
        return key, ("INVALID_EVENT", "need idempotency_key, kind, occurred_at, payload")
    if item["kind"] not in EVENT_KINDS:
        return key, ("UNKNOWN_KIND", "unknown event kind")
    if not _is_aware_time(item["occurred_at"]):
        return key, ("INVALID_EVENT", "occurred_at is not an ISO 8601 time with zone")
    if not isinstance(item["payload"], dict):
        return key, ("INVALID_EVENT", "payload is not an object")
    return key, None
