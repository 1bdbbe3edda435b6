"""Client of the credit platform API (ARCHITECTURE.md, "Credit platform API").

Every request is signed with the terminal's secret (``kiosk.platform.signing``) over the path and
query exactly as sent and the body bytes exactly as sent, and has explicit (connect, read)
timeouts. Retries are bounded and short, and only where repeating cannot do harm: GETs and
POSTs that carry idempotency keys after a dropped connection or a 502/503/504, and any
request that never left the terminal (the connection could not be opened). A
resident-session POST that may have reached the platform is never repeated, and nothing is
repeated after a read timeout, so a call takes at most about connect + read timeout.

Errors are ``PlatformError`` subclasses with a stable ``code`` and a message that holds no
personal data; logs name residents by masked ID number only.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Iterable, Mapping, Sequence
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
    Error,
    EventsAck,
    FaceVerificationReply,
    FaceVerificationRequest,
    ListEntry,
    Notice,
    Notices,
    PrintRecordReceipt,
    PrintRecordRequest,
    PublicLists,
    ResidentSession,
    ResidentSessionRequest,
    TerminalEvent,
    TerminalEventsRequest,
    TerminalPing,
)
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


class TerminalAuthFailed(PlatformRejected):
    """The platform refused the terminal itself (unknown terminal, clock skew, bad
    signature): nothing is wrong with the item being sent; a technician must act."""


class SessionExpired(PlatformRejected):
    """The resident session token is unknown or has expired (TOKEN_INVALID, TOKEN_EXPIRED)."""


class IdentityMismatch(PlatformRejected):
    """The card's name or validity does not match the platform's registry."""


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
        terminal_id, secret: the terminal's credential (X-Terminal-Id, HMAC key).
        connect_timeout, read_timeout: seconds, applied to every attempt.
        retries: extra attempts where repeating is harmless (see the module docstring).
        session: a ``requests.Session`` to use (the caller then closes it).
        backoff_s: first pause between attempts; it doubles each time.
        ca_file: the platform's CA certificate (PEM), the only one trusted for HTTPS
            (None: certifi's bundle).
    """

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        secret: bytes,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        retries: int = 2,
        session: requests.Session | None = None,
        backoff_s: float = 0.25,
        ca_file: Path | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self._secret = secret
        self._prefix = urlsplit(self.base_url).path
        self._timeouts = (connect_timeout, read_timeout)
        self._retries = max(0, retries)
        self._backoff_s = backoff_s
        self._owns_session = session is None
        self._session = session or requests.Session()
        if ca_file is not None:
            self._session.verify = str(ca_file)

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
            self._call("GET", "/api/v1/openapi.json", attempts=1)
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
    ) -> requests.Response:
        """One request with bounded retries; returns a 2xx (or ``accept``) response.

        ``safe``: repeating the request cannot do harm (GET, or keyed POST). Requests that
        are not safe are repeated only when they never left the terminal.
        """
        pairs = list(query)
        data = b"" if body is None else msgspec.json.encode(body)
        url = self.base_url + path + (f"?{urlencode(pairs)}" if pairs else "")
        tries = self._retries + 1 if attempts is None else attempts
        attempt = 0
        while True:
            sent = dict(headers or {})
            sent.update(
                signed_headers(
                    self.terminal_id, self._secret, method, self._prefix + path, pairs, data
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
                )
            except requests.RequestException as exc:
                error: PlatformError = _transport_error(method, path, exc)
                # A read timeout is not repeated: a platform that hangs once will hang again,
                # and repeating would multiply the resident's wait.
                timed_out = isinstance(exc, requests.ReadTimeout)
                retry = _never_sent(exc) or (safe and not timed_out)
            else:
                response.close()  # the body is already read (not streamed)
                if 200 <= response.status_code < 300 or response.status_code in accept:
                    return response
                error = _status_error(method, path, response)
                retry = safe and response.status_code in (502, 503, 504)
            attempt += 1
            if not retry or attempt >= tries:
                raise error
            delay = self._backoff_s * 2 ** (attempt - 1)
            log.info(
                "platform: %s %s failed (%s), retrying in %.2f s", method, path, error.code, delay
            )
            time.sleep(delay)


def _transport_error(method: str, path: str, error: requests.RequestException) -> PlatformError:
    if isinstance(error, requests.Timeout):
        return PlatformUnavailable("TIMEOUT", f"{method} {path}: no answer in time")
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
    if status == 401 and code in TERMINAL_AUTH_CODES:
        return TerminalAuthFailed(code, f"{where}, terminal authentication refused")
    return PlatformRejected(code, f"{where}, request refused")
