"""Client of the credit platform API (ARCHITECTURE.md, "Credit platform API").

Every request is signed with the terminal's secret (``kiosk.platform.signing``) over the path and
query exactly as sent and the body bytes exactly as sent, and has explicit (connect, read)
timeouts. Retries are bounded and short, and only where repeating cannot do harm: GETs and
POSTs that carry idempotency keys after a dropped connection or a 502/503/504, and any
request that never left the terminal (the connection could not be opened). A
resident-session POST that may have reached the platform is never repeated, and nothing is
repeated after a read timeout, so a call takes at most about connect + read timeout.

Errors are ``PlatformError`` subclasses with a stable ``code`` and a message that holds no
personal data; logs name residents by masked ID number only. The two a technician must act on,
``TerminalAuthFailed`` and ``CertificateRefused``, also carry a Chinese ``technician_text``
and an English ``hint``.

HTTPS trusts only the pinned CA (``ca_file``), passed with every request: a ``verify`` set on
the session alone is overridden by ``REQUESTS_CA_BUNDLE`` in the environment.

Every reply's ``Date`` header gives the terminal's clock skew (``clock_skew``), for free.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import re
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Generic, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import msgspec
import requests
from urllib3.exceptions import NewConnectionError

from devices.idcard.card import IdentityCard
from devices.idcard.idnumber import mask_id_number
from kiosk.contract import (
    CreditReport,
    EnterpriseReportRequest,
    Error,
    EventsAck,
    FaceVerificationReply,
    FaceVerificationRequest,
    ListEntry,
    Notice,
    Notices,
    ObjectionAccepted,
    ObjectionReason,
    ObjectionReasons,
    ObjectionRequest,
    PrintRecordReceipt,
    PrintRecordRequest,
    PublicLists,
    RepairGuidance,
    ResidentSession,
    ResidentSessionRequest,
    TerminalEvent,
    TerminalEventsRequest,
    TerminalPing,
)
from kiosk.platform.secret_file import SecretFile
from kiosk.platform.signing import signed_headers

log = logging.getLogger(__name__)

T = TypeVar("T")

TERMINAL_AUTH_CODES = frozenset({"UNKNOWN_TERMINAL", "CLOCK_SKEW", "NONCE_REUSED", "BAD_SIGNATURE"})
SESSION_CODES = frozenset({"TOKEN_EXPIRED", "TOKEN_INVALID"})


# --- errors ----------------------------------------------------------------------------------


class PlatformError(Exception):
    """A platform call failed. ``code`` is the server's stable code or one of ours
    (``TIMEOUT``, ``CONNECTION_FAILED``, ``MALFORMED_REPLY``, ``HTTP_<status>``);
    ``message`` says what failed and never holds personal data."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class PlatformUnavailable(PlatformError):
    """Unreachable, timed out, 5xx or 429: try again later (not before ``retry_after`` s)."""

    def __init__(self, code: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class PlatformRejected(PlatformError):
    """The platform refused the request (4xx); repeating it unchanged will not help."""


_AUTH_TEXTS = {
    "BAD_SIGNATURE": (
        "平台拒绝了本终端的签名：终端密钥与平台登记的不一致，或请求在途中被改动",
        "check that the secret file matches what the platform registered (after a rotation: "
        "both sides updated within the grace window); a hall proxy must not alter requests",
    ),
    "UNKNOWN_TERMINAL": (
        "平台不认识本终端编号",
        "check terminal.id against the platform's registration",
    ),
    "CLOCK_SKEW": (
        "终端时钟偏差过大，平台拒绝请求",
        "set the terminal's clock (NTP): the platform refuses requests more than 300 s off",
    ),
    "NONCE_REUSED": (
        "平台认为本终端的请求被重放",
        "a request was sent twice with the same nonce: a proxy replaying requests, or a bug "
        "to report to the software supplier",
    ),
}


class TerminalAuthFailed(PlatformRejected):
    """The platform refused the terminal itself (unknown terminal, clock skew, bad
    signature, replayed nonce): nothing is wrong with the item being sent; a technician
    must act (``technician_text``, ``hint``)."""

    @property
    def technician_text(self) -> str:
        return _AUTH_TEXTS.get(self.code, ("平台拒绝了本终端的身份认证", ""))[0]

    @property
    def hint(self) -> str:
        return _AUTH_TEXTS.get(self.code, ("", "see the error code in the kiosk log"))[1]


class CertificateRefused(PlatformUnavailable):
    """The platform's TLS certificate was refused (expired, not signed by the pinned CA, or
    for another name): residents see the platform unavailable; a technician must act.
    Codes: ``TLS_CERT_EXPIRED``, ``TLS_CERT_UNTRUSTED``, ``TLS_CERT_WRONG_HOST``."""

    def __init__(self, code: str, message: str, technician_text: str, hint: str) -> None:
        super().__init__(code, message)
        self.technician_text = technician_text
        self.hint = hint


class SessionExpired(PlatformRejected):
    """The resident session token is unknown or has expired (TOKEN_INVALID, TOKEN_EXPIRED)."""


class IdentityMismatch(PlatformRejected):
    """The card's name or validity does not match the platform's registry."""


class NotLegalRepresentative(PlatformRejected):
    """The card holder is not the enterprise's registered legal representative."""


class EnterpriseNotFound(PlatformRejected):
    """No enterprise is registered under the code (a valid code, but not one in use)."""


class MalformedReply(PlatformError):
    """The platform answered with something that is not what the contract promises."""


# --- what the platform returns ---------------------------------------------------------------


@dataclass(frozen=True)
class PublicContent(Generic[T]):
    etag: str | None
    max_age_s: int | None
    items: tuple[T, ...]
    body: bytes
    """The JSON as received, for the offline cache; ``parse_notices``/``parse_lists`` read it."""


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def decode(decoder: msgspec.json.Decoder[T], body: bytes, what: str) -> T:
    """``body`` decoded and validated by ``decoder``; MalformedReply naming the path of the
    first problem otherwise. Values quoted by msgspec are left out: they may be personal."""
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as error:
        problem = _QUOTED.sub("…", str(error))
        raise MalformedReply("MALFORMED_REPLY", f"{what}: {problem}") from None


_SESSION = msgspec.json.Decoder(ResidentSession)
_REPORT = msgspec.json.Decoder(CreditReport)
_PRINT_RECEIPT = msgspec.json.Decoder(PrintRecordReceipt)
_EVENTS_ACK = msgspec.json.Decoder(EventsAck)
_PING = msgspec.json.Decoder(TerminalPing)
_FACE = msgspec.json.Decoder(FaceVerificationReply)
_NOTICES = msgspec.json.Decoder(Notices)
_LISTS = msgspec.json.Decoder(PublicLists)
_ERROR = msgspec.json.Decoder(Error)
_OBJECTION_REASONS = msgspec.json.Decoder(ObjectionReasons)
_OBJECTION_ACCEPTED = msgspec.json.Decoder(ObjectionAccepted)
_REPAIR_GUIDANCE = msgspec.json.Decoder(RepairGuidance)


def parse_report(body: bytes) -> CreditReport:
    return decode(_REPORT, body, "reports/person")


def parse_notices(body: bytes) -> tuple[Notice, ...]:
    return decode(_NOTICES, body, "public/notices").notices


def parse_lists(body: bytes) -> tuple[ListEntry, ...]:
    return decode(_LISTS, body, "public/lists").entries


# --- the client ------------------------------------------------------------------------------


def _never_sent(error: requests.RequestException) -> bool:
    """True when the request cannot have reached the platform (no connection was made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class PlatformClient:
    """The terminal's side of the platform API. Calls block; run them on a worker thread.

    Arguments:
        base_url: the platform's base URL (a path prefix is allowed and signed).
        terminal_id, secret: the terminal's credential (X-Terminal-Id, HMAC key); a
            ``SecretFile`` is re-read when it changes or a signature is refused.
        connect_timeout, read_timeout: seconds, applied to every attempt.
        retries: extra attempts where repeating is harmless (see the module docstring).
        session: a ``requests.Session`` to use (the caller then closes it).
        backoff_s: first pause between attempts; it doubles each time.
        ca_file: the platform's CA certificate (PEM), the only one trusted for HTTPS
            (None: certifi's bundle).
        clock: the terminal's wall clock (a test gives one that is off).
    """

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        secret: bytes | SecretFile,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        retries: int = 2,
        session: requests.Session | None = None,
        backoff_s: float = 0.25,
        ca_file: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        """The terminal's wall clock: request timestamps and the skew are read from it."""
        self.terminal_id = terminal_id
        self._secret = secret
        self._verify: str | bool = True if ca_file is None else str(ca_file)
        self._skew: tuple[float, float] | None = None
        self._tls_refused: CertificateRefused | None = None
        self._auth_refused: TerminalAuthFailed | None = None
        self._prefix = urlsplit(self.base_url).path
        self._timeouts = (connect_timeout, read_timeout)
        self._retries = max(0, retries)
        self._backoff_s = backoff_s
        self._owns_session = session is None
        self._session = session or requests.Session()

    @property
    def clock_skew(self) -> tuple[float, float] | None:
        """(skew in seconds, ``time.monotonic()`` when measured) from the latest reply's
        ``Date`` header; positive: the terminal's clock is ahead. None before any reply.
        The header has whole seconds: the skew is good to about a second."""
        return self._skew

    def _note_date(self, response: requests.Response, received_at: float) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server_time = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        # The header truncates to the second: the server's clock was, on average, half a
        # second past what it says.
        self._skew = (received_at - (server_time + 0.5), time.monotonic())

    @property
    def link_fault(self) -> CertificateRefused | TerminalAuthFailed | None:
        """The refusal a technician must see to, while it lasts: the platform's certificate
        refused (until a reply comes over TLS again), or this terminal refused by the
        platform (until a signed call succeeds)."""
        return self._tls_refused or self._auth_refused

    def _note_outcome(self, error: PlatformError | None, proves_auth: bool) -> None:
        if isinstance(error, CertificateRefused):
            self._tls_refused = error
            return
        if error is not None and error.code in ("TIMEOUT", "CONNECTION_FAILED", "TLS_FAILED"):
            return  # nothing was learnt about the certificate or the credential
        self._tls_refused = None
        if isinstance(error, TerminalAuthFailed):
            self._auth_refused = error
        elif error is None and proves_auth:
            self._auth_refused = None

    def _current_secret(self) -> bytes:
        return self._secret.current() if isinstance(self._secret, SecretFile) else self._secret

    @property
    def longest_request_s(self) -> float:
        """Roughly the longest one call can take: every attempt timing out on connect and
        read, with the back-off between them (a watchdog's staleness limits build on it)."""
        connect_s, read_s = self._timeouts
        tries = self._retries + 1
        backoff_s: float = self._backoff_s * 2**self._retries
        return tries * (connect_s + read_s) + self._retries * backoff_s

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- the API ---
    def open_resident_session(self, card: IdentityCard) -> str:
        """Present the card evidence; returns the resident session token.

        Raises IdentityMismatch, PlatformRejected, PlatformUnavailable, MalformedReply.
        """
        evidence = ResidentSessionRequest(
            id_number=card.id_number,
            name=card.name,
            # Other card types are the platform's to refuse (the terminal never sends them).
            card_type=card.card_type.value,  # type: ignore[arg-type]
            valid_to="long_term" if card.valid_to is None else card.valid_to.isoformat(),
        )
        response = self._call("POST", "/api/v1/resident-sessions", body=evidence, safe=False)
        session = decode(_SESSION, response.content, "resident-sessions")
        log.info("platform: resident session opened for %s", mask_id_number(card.id_number))
        return session.token

    def fetch_report(self, token: str) -> CreditReport:
        """The resident's report, validated. Raises SessionExpired, MalformedReply, …"""
        headers = {"Authorization": f"Bearer {token}"}
        response = self._call("GET", "/api/v1/reports/person", headers=headers)
        report = parse_report(response.content)
        log.info("platform: report %s received for %s", report.report_no, report.subject_id_masked)
        return report

    def fetch_enterprise_report(self, token: str, uscc: str) -> CreditReport:
        """The report of the enterprise with this 统一社会信用代码, validated, if the session's
        resident is its registered legal representative. Raises NotLegalRepresentative,
        EnterpriseNotFound, SessionExpired, MalformedReply, …"""
        headers = {"Authorization": f"Bearer {token}"}
        body = EnterpriseReportRequest(uscc)
        # Repeating it is as harmless as repeating GET reports/person: another report number.
        response = self._call("POST", "/api/v1/enterprise-reports", body=body, headers=headers)
        report = decode(_REPORT, response.content, "enterprise-reports")
        if report.subject.uscc != uscc:
            raise MalformedReply(
                "MALFORMED_REPLY", "enterprise-reports: another enterprise's report"
            )
        log.info("platform: enterprise report %s received for %s", report.report_no, uscc)
        return report

    def verify_face(self, token: str, image_jpeg: bytes) -> FaceVerificationReply:
        """Ask the platform whether the face in ``image_jpeg`` is the card holder's
        (``POST /api/v1/face-verifications``). The image goes in this one request body and
        nowhere else; it is never repeated once it may have reached the platform.

        Raises SessionExpired, PlatformRejected, PlatformUnavailable, MalformedReply.
        """
        headers = {"Authorization": f"Bearer {token}"}
        body = FaceVerificationRequest(image_jpeg)
        response = self._call(
            "POST", "/api/v1/face-verifications", body=body, headers=headers, safe=False
        )
        reply = decode(_FACE, response.content, "face-verifications")
        log.info("platform: face verification answered %s", reply.outcome)
        return reply

    def post_print_record(
        self, report_no: str, idempotency_key: str, record: PrintRecordRequest
    ) -> PrintRecordReceipt:
        """Tell the platform what was printed; a repeat with the same key is harmless."""
        path = f"/api/v1/reports/{quote(report_no, safe='')}/print-records"
        headers = {"Idempotency-Key": idempotency_key}
        response = self._call("POST", path, body=record, headers=headers)
        return decode(_PRINT_RECEIPT, response.content, "print-records")

    def post_terminal_events(self, events: Sequence[TerminalEvent]) -> EventsAck:
        """Send outbox items (each with its idempotency key); says what became of each."""
        body = TerminalEventsRequest(list(events))
        response = self._call("POST", "/api/v1/terminal-events", body=body)
        return decode(_EVENTS_ACK, response.content, "terminal-events")

    def objection_reasons(self) -> tuple[ObjectionReason, ...]:
        """The objection reasons the platform accepts (信息错误, 已履行/已整改, …)."""
        response = self._call("GET", "/api/v1/objections/reasons")
        return decode(_OBJECTION_REASONS, response.content, "objections/reasons").reasons

    def file_objection(self, token: str, request: ObjectionRequest) -> ObjectionAccepted:
        """File an objection to one row of the resident's report (repeating it under the same
        idempotency key is harmless). Raises SessionExpired, PlatformRejected, …"""
        headers = {"Authorization": f"Bearer {token}"}
        response = self._call("POST", "/api/v1/objections", body=request, headers=headers)
        accepted = decode(_OBJECTION_ACCEPTED, response.content, "objections")
        log.info(
            "platform: objection to %s %s row %d %s as %s",
            request.report_no,
            request.section,
            request.row,
            accepted.status,
            accepted.acceptance_no,
        )
        return accepted

    def repair_guidance(self, token: str, report_no: str, section: str, row: int) -> RepairGuidance:
        """The platform's credit-repair rule for one record (``rule`` None: it has none)."""
        path = f"/api/v1/reports/{quote(report_no, safe='')}/repair-guidance"
        headers = {"Authorization": f"Bearer {token}"}
        query = (("section", section), ("row", str(row)))
        response = self._call("GET", path, query=query, headers=headers)
        return decode(_REPAIR_GUIDANCE, response.content, "repair-guidance")

    def public_notices(self, etag: str | None = None) -> PublicContent[Notice] | None:
        """信用新泰 notices; None when they have not changed since ``etag``."""
        response = self._conditional_get("/api/v1/public/notices", etag)
        if response is None:
            return None
        return self._content(response, parse_notices(response.content))

    def public_lists(self, etag: str | None = None) -> PublicContent[ListEntry] | None:
        """Red/black list publicity; None when it has not changed since ``etag``."""
        response = self._conditional_get("/api/v1/public/lists", etag)
        if response is None:
            return None
        return self._content(response, parse_lists(response.content))

    def ping(self) -> bool:
        """Cheap reachability probe: can this terminal reach the platform right now?"""
        try:
            self._call("GET", "/api/v1/openapi.json", attempts=1, proves_auth=False)
        except PlatformError as error:
            log.info("platform: ping failed (%s)", error.code)
            return False
        return True

    def terminal_ping(self) -> tuple[TerminalPing, requests.Response]:
        """One signed request, not repeated: the platform's answer (its clock) and the reply
        (its ``Date`` header, ``elapsed``). Raises TerminalAuthFailed (secret, terminal id,
        clock), PlatformUnavailable, MalformedReply."""
        response = self._call("GET", "/api/v1/terminal/ping", attempts=1)
        return decode(_PING, response.content, "terminal/ping"), response

    # --- plumbing ---
    def _conditional_get(self, path: str, etag: str | None) -> requests.Response | None:
        headers = {"If-None-Match": etag} if etag else {}
        response = self._call("GET", path, headers=headers, accept=(304,))
        return None if response.status_code == 304 else response

    @staticmethod
    def _content(response: requests.Response, items: tuple[T, ...]) -> PublicContent[T]:
        match = re.search(r"max-age=([0-9]+)", response.headers.get("Cache-Control", ""))
        max_age = int(match.group(1)) if match else None
        etag = response.headers.get("ETag")
        return PublicContent(etag, max_age, items, response.content)

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] = (),
        body: msgspec.Struct | None = None,
        headers: Mapping[str, str] | None = None,
        safe: bool = True,
        attempts: int | None = None,
        accept: tuple[int, ...] = (),
        proves_auth: bool = True,
    ) -> requests.Response:
        """One request with bounded retries; returns a 2xx (or ``accept``) response.

        ``safe``: repeating the request cannot do harm (GET, or keyed POST). Requests that
        are not safe are repeated only when they never left the terminal. ``proves_auth``:
        the platform checks this path's signature (its success clears ``link_fault``).
        """
        pairs = list(query)
        data = b"" if body is None else msgspec.json.encode(body)
        url = self.base_url + path + (f"?{urlencode(pairs)}" if pairs else "")
        tries = self._retries + 1 if attempts is None else attempts
        attempt = 0
        secret_reloaded = False
        while True:
            secret = self._current_secret()
            sent = dict(headers or {})
            sent.update(
                signed_headers(
                    self.terminal_id,
                    secret,
                    method,
                    self._prefix + path,
                    pairs,
                    data,
                    now=self.clock(),
                )
            )
            if data:
                sent["Content-Type"] = "application/json; charset=utf-8"
            try:
                response = self._session.request(
                    method,
                    url,
                    data=data or None,
                    headers=sent,
                    timeout=self._timeouts,
                    allow_redirects=False,
                    verify=self._verify,
                )
            except requests.RequestException as exc:
                error: PlatformError = _transport_error(method, path, exc)
                self._note_outcome(error, proves_auth)
                # A read timeout is not repeated: a platform that hangs once will hang again,
                # and repeating would multiply the resident's wait.
                timed_out = isinstance(exc, requests.ReadTimeout)
                # A refused certificate is refused again: not repeated either.
                refused = isinstance(error, CertificateRefused)
                retry = not refused and (_never_sent(exc) or (safe and not timed_out))
            else:
                response.close()  # the body is already read (not streamed)
                self._note_date(response, self.clock())
                if 200 <= response.status_code < 300 or response.status_code in accept:
                    self._note_outcome(None, proves_auth)
                    return response
                error = _status_error(method, path, response)
                self._note_outcome(error, proves_auth)
                if (
                    isinstance(error, TerminalAuthFailed)
                    and error.code in ("BAD_SIGNATURE", "UNKNOWN_TERMINAL")
                    and isinstance(self._secret, SecretFile)
                    and not secret_reloaded
                ):
                    # A refused signature had no effect: with a rotated secret it is sent
                    # again once, outside the retry budget.
                    secret_reloaded = True
                    if self._secret.reload():
                        log.info(
                            "platform: %s %s refused; secret re-read, sending again", method, path
                        )
                        continue
                retry = safe and response.status_code in (502, 503, 504)
            attempt += 1
            if not retry or attempt >= tries:
                raise error
            delay = self._backoff_s * 2 ** (attempt - 1)
            log.info(
                "platform: %s %s failed (%s), retrying in %.2f s", method, path, error.code, delay
            )
            time.sleep(delay)


def _verification_error(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure somewhere inside what requests raised."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLCertVerificationError):
            return item
        pending += [*item.args, getattr(item, "reason", None), item.__cause__, item.__context__]
    return None


X509_EXPIRED = 10
"""OpenSSL's X509_V_ERR_CERT_HAS_EXPIRED."""
X509_HOSTNAME_MISMATCH = 62


def _certificate_error(
    method: str, path: str, error: ssl.SSLCertVerificationError
) -> PlatformError:
    where = f"{method} {path}: TLS certificate refused ({error.verify_message})"
    if error.verify_code == X509_EXPIRED:
        return CertificateRefused(
            "TLS_CERT_EXPIRED",
            where,
            "平台证书已过期，终端拒绝连接",
            "tell the platform operators their certificate has expired; check the terminal's "
            "clock (NTP) too: a clock far ahead makes a valid certificate look expired",
        )
    if error.verify_code == X509_HOSTNAME_MISMATCH:
        return CertificateRefused(
            "TLS_CERT_WRONG_HOST",
            where,
            "平台证书与平台地址不符，终端拒绝连接",
            "check platform.base_url; a hall proxy that answers for the platform must be bypassed",
        )
    return CertificateRefused(
        "TLS_CERT_UNTRUSTED",
        where,
        "平台证书不是固定的平台 CA 签发的，终端拒绝连接",
        "a hall proxy that breaks TLS must be bypassed for the platform; if the platform "
        "changed its CA, put the new CA in platform.ca_file",
    )


def _transport_error(method: str, path: str, error: requests.RequestException) -> PlatformError:
    if isinstance(error, requests.Timeout):
        return PlatformUnavailable("TIMEOUT", f"{method} {path}: no answer in time")
    if isinstance(error, requests.exceptions.SSLError):
        verification = _verification_error(error)
        if verification is not None:
            return _certificate_error(method, path, verification)
        return PlatformUnavailable("TLS_FAILED", f"{method} {path}: TLS handshake failed")
    return PlatformUnavailable("CONNECTION_FAILED", f"{method} {path}: connection failed")


def _status_error(method: str, path: str, response: requests.Response) -> PlatformError:
    status = response.status_code
    code = f"HTTP_{status}"
    with contextlib.suppress(msgspec.DecodeError):
        code = _ERROR.decode(response.content).code
    where = f"{method} {path}: HTTP {status}"
    if status == 429 or status >= 500:
        return PlatformUnavailable(code, f"{where}, platform unavailable", _retry_after(response))
    if code in SESSION_CODES:
        return SessionExpired(code, f"{where}, resident session is no longer valid")
    if code == "IDENTITY_MISMATCH":
        return IdentityMismatch(code, f"{where}, card does not match the registry")
    if code == "NOT_LEGAL_REPRESENTATIVE":
        return NotLegalRepresentative(code, f"{where}, not the enterprise's legal representative")
    if code == "ENTERPRISE_NOT_FOUND":
        return EnterpriseNotFound(code, f"{where}, no enterprise with this code")
    if status == 401 and code in TERMINAL_AUTH_CODES:
        return TerminalAuthFailed(code, f"{where}, terminal authentication refused")
    return PlatformRejected(code, f"{where}, request refused")
