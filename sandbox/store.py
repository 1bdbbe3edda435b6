"""What the sandbox platform remembers and the rules it applies.

``PlatformStore`` holds resident sessions, issued reports (only what the verification page
shows: masked), print records, terminal events and recently seen nonces. Every method is
thread-safe. Refusals are ``ApiError``s carrying the contract's HTTP status and code.

In memory only, unless given a journal: then issued reports and accepted print records and
events (masked identifiers and idempotency keys, nothing personal) are appended to it, one
JSON line each, before the answer is sent, and a store started on the same journal knows
them again, as the real platform survives its own restart. The fault soak kills the sandbox
process and reads the journal for what the platform received.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import msgspec

from devices.idcard.idnumber import is_valid_id_number, mask_id_number, mask_name
from kiosk.contract import (
    EVENT_KINDS,
    MAX_EVENTS_PER_BATCH,
    CreditReport,
    EventsAck,
    FaceVerificationReply,
    FleetTerminal,
    FleetTerminals,
    IdempotencyKey,
    Objection,
    ObjectionAccepted,
    ObjectionEvent,
    ObjectionReason,
    ObjectionReasons,
    ObjectionRequest,
    PrintRecordReceipt,
    PrintRecordRequest,
    RejectedEvent,
    RepairGuidance,
    ResidentSessionRequest,
    TerminalEvent,
    TerminalHeartbeat,
)
from kiosk.platform.sealing import SealBroken, unseal
from kiosk.platform.signing import MAX_SKEW_S
from kiosk.report_model import CHINA_TIME
from kiosk.uscc import problem as uscc_problem
from sandbox import faces, population
from sandbox.records import REFERENCE_DATE
from sandbox.repair_rules import rule_for

_VERIFY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OBJECTION_REASONS = ObjectionReasons(
    (
        ObjectionReason("wrong_information", "信息错误", "记录内容与事实不符"),
        ObjectionReason("fulfilled", "已履行/已整改", "已履行处罚或已完成整改"),
        ObjectionReason("not_me", "非本人", "该记录不属于本人"),
        ObjectionReason("other", "其他"),
    )
)
OBJECTION_ANSWER_DAYS = 15
"""The sandbox's answer period: respond_by is this many days after the objection."""


def _unseal_with_any(secrets: tuple[bytes, ...], key: str, sealed: str) -> str:
    """Sealed with the terminal's secret: during a rotation, the new or the old one."""
    for secret in secrets:
        try:
            return unseal(secret, key, sealed)
        except SealBroken:
            continue
    raise SealBroken("sealed value opens with none of the terminal's secrets")


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
    """Accepted terminal events by kind (objections filed online count as ``objection``)."""
    faults_pending: int


@dataclass(frozen=True)
class IssuedReport:
    report_no: str
    verify_code: str
    issued_at: dt.datetime
    name_masked: str
    id_masked: str
    """What the verification page shows of the subject: for an enterprise, its name and
    code as registered (public, not masked)."""


@dataclass(frozen=True)
class _Session:
    id_number: str
    name: str
    terminal_id: str
    expires_at: float


class PlatformStore:
    def __init__(self, token_ttl_s: float, journal: Path | None = None) -> None:
        self.token_ttl_s = token_ttl_s
        self._lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._reports: dict[str, IssuedReport] = {}
        self._prints: dict[tuple[str, str], tuple[str, PrintRecordRequest]] = {}
        self._events: dict[tuple[str, str], str] = {}
        self._heartbeats: dict[str, tuple[dt.datetime, TerminalHeartbeat]] = {}
        """The latest heartbeat of each terminal (by when it was taken) and that time."""
        self._nonces: dict[tuple[str, str], float] = {}
        self._report_seq = 0
        self._report_subjects: dict[str, tuple[str, str]] = {}
        """Report number → (the card holder's ID number, the subject key: that ID number or
        the enterprise's code); memory only, never journaled."""
        self._objections: dict[tuple[str, str], ObjectionAccepted] = {}
        """(terminal, idempotency key) → what the objection was answered."""
        self._objected_rows: dict[str, set[tuple[str, int]]] = {}
        """Subject key → (section key, row index) under objection."""
        self.phones: dict[str, str] = {}
        """Acceptance number → the follow-up phone the resident gave (for tests)."""
        self.faces = faces.RegisteredFaces()
        """Each resident's registered test image (the face check's stand-in)."""
        self._journal = None
        if journal is not None:
            if journal.exists():
                for line in journal.read_text(encoding="utf-8").splitlines():
                    self._replay(json.loads(line))
            self._journal = journal.open("a", encoding="utf-8")

    def close(self) -> None:
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    def _write(self, entry: dict[str, Any]) -> None:
        """Append one journal line (called under the lock, before the answer is sent)."""
        if self._journal is not None:
            self._journal.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._journal.flush()  # in the kernel's hands: a killed process loses nothing

    def _replay(self, entry: dict[str, Any]) -> None:
        terminal_id, key = entry.get("terminal_id", ""), entry.get("key", "")
        if entry["what"] == "report":
            issued = msgspec.convert(entry["report"], IssuedReport)
            self._reports[issued.report_no] = issued
            self._report_seq += 1
        elif entry["what"] == "print":
            record = msgspec.convert(entry["record"], PrintRecordRequest)
            self._prints[(terminal_id, key)] = (entry["report_no"], record)
        else:
            self._events[(terminal_id, key)] = entry["kind"]
            if "heartbeat" in entry:
                heartbeat = msgspec.convert(entry["heartbeat"], TerminalHeartbeat)
                taken_at = dt.datetime.fromisoformat(entry["occurred_at"])
                self._note_heartbeat(terminal_id, taken_at, heartbeat)

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

    def open_session(self, terminal_id: str, evidence: ResidentSessionRequest) -> str:
        """Check the card evidence (``POST /resident-sessions`` body) and return a token."""
        id_number, name = _check_evidence(evidence)
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            for old in [t for t, s in self._sessions.items() if s.expires_at < now - 3600]:
                del self._sessions[old]
            self._sessions[token] = _Session(id_number, name, terminal_id, now + self.token_ttl_s)
        return token

    def _session(self, terminal_id: str, token: str) -> _Session:
        with self._lock:
            session = self._sessions.get(token)
        if session is None or session.terminal_id != terminal_id:
            raise ApiError(401, "TOKEN_INVALID", "resident session token is not valid")
        if time.monotonic() >= session.expires_at:
            raise ApiError(401, "TOKEN_EXPIRED", "resident session has expired")
        return session

    def verify_face(self, terminal_id: str, token: str, image_jpeg: bytes) -> FaceVerificationReply:
        """The session's resident's face compared with their registered test image, by the
        stand-in rule of ``sandbox.faces`` (nothing is kept)."""
        session = self._session(terminal_id, token)
        return faces.compare(image_jpeg, self.faces.image(session.id_number))

    def _issue(
        self, session: _Session, subject_key: str, subject_name: str, subject_id: str
    ) -> tuple[str, str, dt.datetime]:
        """A fresh report number and verification code, remembered for verification and for
        objections (``subject_key``: the resident's ID number or the enterprise's code)."""
        issued_at = dt.datetime.now(CHINA_TIME).replace(microsecond=0)
        verify_code = "".join(secrets.choice(_VERIFY_ALPHABET) for _ in range(8))
        with self._lock:
            self._report_seq += 1
            report_no = f"XT{issued_at:%Y%m%d}{self._report_seq:06d}"
            issued = IssuedReport(report_no, verify_code, issued_at, subject_name, subject_id)
            self._reports[report_no] = issued
            self._report_subjects[report_no] = (session.id_number, subject_key)
            self._write({"what": "report", "report": msgspec.to_builtins(issued)})
        return report_no, verify_code, issued_at

    def _mark_objections(self, report: CreditReport, subject_key: str) -> CreditReport:
        """The report with the rows under objection marked in each section."""
        with self._lock:
            objected = set(self._objected_rows.get(subject_key, ()))
        if not objected:
            return report
        sections = tuple(
            msgspec.structs.replace(
                section, objections=tuple(sorted(r for k, r in objected if k == section.key))
            )
            for section in report.sections
        )
        return msgspec.structs.replace(report, sections=sections)

    def issue_report(self, terminal_id: str, token: str) -> CreditReport:
        """A fresh report for the session's resident, rows under objection marked."""
        session = self._session(terminal_id, token)
        subject = population.find(session.id_number) or population.stranger(
            session.id_number, session.name
        )
        issued = self._issue(
            session, session.id_number, mask_name(session.name), mask_id_number(session.id_number)
        )
        return self._mark_objections(population.build_report(subject, *issued), session.id_number)

    def issue_enterprise_report(self, terminal_id: str, token: str, uscc: str) -> CreditReport:
        """A fresh report of the enterprise with code ``uscc`` (its shape already checked by
        the request's Struct), for its registered legal representative only."""
        session = self._session(terminal_id, token)
        wrong = uscc_problem(uscc)
        if wrong is not None:
            raise ApiError(400, "INVALID_USCC", f"uscc is not a valid code ({wrong.kind})")
        enterprise = population.find_enterprise(uscc)
        if enterprise is None:
            raise ApiError(
                404, "ENTERPRISE_NOT_FOUND", "no enterprise is registered with this code"
            )
        representative = population.by_key(enterprise.representative)
        if not hmac.compare_digest(representative.id_number, session.id_number):
            raise ApiError(
                403,
                "NOT_LEGAL_REPRESENTATIVE",
                "the card holder is not the enterprise's registered legal representative",
            )
        issued = self._issue(session, enterprise.uscc, enterprise.name, enterprise.uscc)
        report = population.build_enterprise_report(enterprise, representative, *issued)
        return self._mark_objections(report, enterprise.uscc)

    # --- objections and repair guidance ---
    def _row(self, subject_key: str, section: str, row: int) -> tuple[str, ...]:
        enterprise = population.find_enterprise(subject_key)
        if enterprise is not None:
            rows = tuple(record for key, record in enterprise.records if key == section)
        else:
            subject = population.find(subject_key)
            rows = subject.rows(section) if subject is not None else ()
        if row >= len(rows):
            raise invalid(f"the report has no row {row} in {section}")
        return rows[row]

    def _report_subject(self, report_no: str, session: _Session | None) -> str:
        """The report's subject key (ID number or enterprise code); the report must have
        been issued to this session's card holder."""
        with self._lock:
            owner = self._report_subjects.get(report_no)
        if owner is None or (session is not None and session.id_number != owner[0]):
            raise ApiError(404, "REPORT_NOT_FOUND", "no report with this number")
        return owner[1]

    def file_objection(
        self, terminal_id: str, token: str, request: ObjectionRequest
    ) -> ObjectionAccepted:
        """``POST /objections``: filed once per idempotency key (a repeat, or the same
        objection delivered later from the outbox, is answered ``duplicate``)."""
        session = self._session(terminal_id, token)
        subject_key = self._report_subject(request.report_no, session)
        return self._file(
            terminal_id,
            request.idempotency_key,
            subject_key,
            (request.section, request.row, request.reason),
            request.phone,
        )

    def _file(
        self,
        terminal_id: str,
        key: str,
        subject_key: str,
        what: tuple[str, int, str],
        phone: str | None,
    ) -> ObjectionAccepted:
        section, row, reason = what
        if reason not in {r.code for r in OBJECTION_REASONS.reasons}:
            raise invalid("reason is not one of the platform's objection reasons")
        self._row(subject_key, section, row)
        with self._lock:
            known = self._objections.get((terminal_id, key))
            if known is not None:
                return msgspec.structs.replace(known, status="duplicate")
            today = dt.datetime.now(CHINA_TIME).date()
            acceptance_no = f"YY{today:%Y%m%d}{len(self._objections) + 1:06d}"
            accepted = ObjectionAccepted(
                acceptance_no, today + dt.timedelta(days=OBJECTION_ANSWER_DAYS), "accepted"
            )
            self._objections[(terminal_id, key)] = accepted
            self._events[(terminal_id, key)] = Objection.KIND
            self._objected_rows.setdefault(subject_key, set()).add((section, row))
            if phone is not None:
                self.phones[acceptance_no] = phone
        return accepted

    def _delivered_objection(
        self, terminal_id: str, key: str, objection: Objection, secrets: tuple[bytes, ...]
    ) -> ObjectionAccepted | RejectedEvent:
        """An objection from an outbox (called under no lock): filed, or why it is refused."""
        try:
            phone = (
                None
                if objection.phone_sealed is None
                else _unseal_with_any(secrets, key, objection.phone_sealed)
            )
            subject_key = self._report_subject(objection.report_no, None)
            what = (objection.section, objection.row, objection.reason)
            return self._file(terminal_id, key, subject_key, what, phone)
        except SealBroken:
            return RejectedEvent(key, "INVALID_EVENT", "phone_sealed does not open")
        except ApiError as error:
            return RejectedEvent(key, error.code, error.message)

    def repair_guidance(
        self, terminal_id: str, token: str, report_no: str, section: str, row: int
    ) -> RepairGuidance:
        session = self._session(terminal_id, token)
        subject_key = self._report_subject(report_no, session)
        record = self._row(subject_key, section, row)
        enterprise = population.find_enterprise(subject_key) is not None
        rule = rule_for(section, record, REFERENCE_DATE, enterprise)
        return RepairGuidance(report_no, section, row, rule)

    def verify(self, report_no: str, code: str) -> IssuedReport | None:
        with self._lock:
            issued = self._reports.get(report_no)
        if issued is None or not hmac.compare_digest(issued.verify_code.encode(), code.encode()):
            return None
        return issued

    def record_print(
        self, terminal_id: str, key: str, report_no: str, record: PrintRecordRequest
    ) -> PrintRecordReceipt:
        """``recorded`` the first time ``key`` is seen, ``duplicate`` for the same record."""
        if not 0 < len(key) <= 128:
            raise invalid("Idempotency-Key header is required")
        fingerprint = (report_no, record)
        with self._lock:
            if report_no not in self._reports:
                raise ApiError(404, "REPORT_NOT_FOUND", "no report with this number")
            known = self._prints.get((terminal_id, key))
            if known is None:
                self._prints[(terminal_id, key)] = fingerprint
                self._write(
                    {
                        "what": "print",
                        "terminal_id": terminal_id,
                        "key": key,
                        "report_no": report_no,
                        "record": msgspec.to_builtins(record),
                    }
                )
                return PrintRecordReceipt(key, "recorded")
        if known != fingerprint:
            raise ApiError(409, "IDEMPOTENCY_CONFLICT", "key was used for a different record")
        return PrintRecordReceipt(key, "duplicate")

    def record_events(
        self, terminal_id: str, events: list[msgspec.Raw], secrets: tuple[bytes, ...] = ()
    ) -> EventsAck:
        """Accept each new valid event once; duplicates and rejects are reported per item.
        ``secrets``: the terminal's (two during a rotation), which open an objection's sealed
        phone number."""
        if len(events) > MAX_EVENTS_PER_BATCH:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", f"at most {MAX_EVENTS_PER_BATCH} events")
        accepted: list[str] = []
        duplicates: list[str] = []
        rejected: list[RejectedEvent] = []
        for raw in events:
            event = _decode_event(raw)
            if isinstance(event, RejectedEvent):
                rejected.append(event)
                continue
            key = event.idempotency_key
            if isinstance(event, ObjectionEvent):  # filed under its own locking
                filed = self._delivered_objection(terminal_id, key, event.payload, secrets)
                if isinstance(filed, RejectedEvent):
                    rejected.append(filed)
                elif filed.status == "duplicate":
                    duplicates.append(key)
                else:
                    self._journal_event(terminal_id, event)
                    accepted.append(key)
                continue
            with self._lock:
                if (terminal_id, key) in self._events:
                    duplicates.append(key)
                    continue
                self._events[(terminal_id, key)] = event.payload.KIND
                entry = {
                    "what": "event",
                    "terminal_id": terminal_id,
                    "key": key,
                    "kind": event.payload.KIND,
                }
                if isinstance(event.payload, TerminalHeartbeat):
                    self._note_heartbeat(terminal_id, event.occurred_at, event.payload)
                    # Versions, counts and device states: nothing personal.
                    entry["heartbeat"] = msgspec.to_builtins(event.payload)
                    entry["occurred_at"] = event.occurred_at.isoformat()
                self._write(entry)
                accepted.append(key)
        return EventsAck(tuple(accepted), tuple(duplicates), tuple(rejected))

    def _journal_event(self, terminal_id: str, event: TerminalEvent) -> None:
        entry = {
            "what": "event",
            "terminal_id": terminal_id,
            "key": event.idempotency_key,
            "kind": event.payload.KIND,
        }
        with self._lock:
            self._write(entry)

    def _note_heartbeat(
        self, terminal_id: str, taken_at: dt.datetime, heartbeat: TerminalHeartbeat
    ) -> None:
        """Keeps ``heartbeat`` unless a later one is known (an outbox may deliver late)."""
        known = self._heartbeats.get(terminal_id)
        if known is None or known[0] <= taken_at:
            self._heartbeats[terminal_id] = (taken_at, heartbeat)

    def fleet_terminals(self) -> FleetTerminals:
        """Every terminal that sent a heartbeat, as its latest one describes it."""
        with self._lock:
            latest = sorted(self._heartbeats.items())
        return FleetTerminals(
            terminals=tuple(
                FleetTerminal(
                    terminal_id=terminal_id,
                    last_seen_at=taken_at,
                    version=heartbeat.version,
                    update=heartbeat.update,
                    devices_ok=all(health.ok for health in heartbeat.health.values()),
                    unhealthy=tuple(
                        sorted(name for name, health in heartbeat.health.items() if not health.ok)
                    ),
                    outbox_depth=heartbeat.outbox.depth,
                    last_session_at=heartbeat.last_session_at,
                )
                for terminal_id, (taken_at, heartbeat) in latest
            ),
            generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )

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


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_evidence(evidence: ResidentSessionRequest) -> tuple[str, str]:
    """(ID number, name) from card evidence (its shape already checked by its Struct) that
    is plausible and matches the registry."""
    id_number, name, valid_to = evidence.id_number, evidence.name, evidence.valid_to
    if not is_valid_id_number(id_number):
        raise invalid("id_number is not a valid resident ID number")
    if not _is_date(f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"):
        raise invalid("id_number does not hold a birth date")
    if name.strip() != name:
        raise invalid("name is padded")
    if not (valid_to == "long_term" or _is_date(valid_to)):
        raise invalid("valid_to must be YYYY-MM-DD or long_term")
    known = population.find(id_number)
    if known is not None:
        registered = "long_term" if known.valid_to is None else known.valid_to.isoformat()
        if known.name != name or registered != valid_to:
            raise ApiError(403, "IDENTITY_MISMATCH", "card does not match the registered card")
    return id_number, name


class _EventKey(msgspec.Struct, frozen=True):
    """What an event must have to be answered for at all (other fields are ignored here)."""

    idempotency_key: IdempotencyKey
    kind: str | None = None


_EVENT_KEY = msgspec.json.Decoder(_EventKey)
_EVENT = msgspec.json.Decoder(TerminalEvent)


def _decode_event(raw: msgspec.Raw) -> TerminalEvent | RejectedEvent:
    """The event, or why it is rejected (an event without a usable key is rejected as "")."""
    try:
        head = _EVENT_KEY.decode(raw)
    except msgspec.DecodeError as error:
        return RejectedEvent("", "INVALID_EVENT", str(error))
    if head.kind is not None and head.kind not in EVENT_KINDS:
        return RejectedEvent(head.idempotency_key, "UNKNOWN_KIND", "unknown event kind")
    try:
        event: TerminalEvent = _EVENT.decode(raw)
    except msgspec.DecodeError as error:
        return RejectedEvent(head.idempotency_key, "INVALID_EVENT", str(error))
    return event
