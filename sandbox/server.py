"""The sandbox credit platform: a real HTTP server on loopback implementing the API contract.

It authenticates every ``/api/v1`` request with ``kiosk.platform.signing`` (except the public
verification page and the OpenAPI document), serves reports of the synthetic population
(``sandbox.population``), deduplicates print records and terminal events by
idempotency key, and misbehaves on request (``sandbox.faults``) so tests and the demo
see how the kiosk copes with a slow, failing or lying platform.

``GET /api/v1/fleet/terminals`` (the operators' fleet status, read by ``taihaoban-release
status`` and ``promote``) is not a terminal's call: it takes the operator token the sandbox
was started with (``--operator-token-file``) as ``Authorization: Bearer <token>``, and is
refused (403) when none was configured.

Admin paths need no signature; they exist for tests and the demo and answer loopback
clients only: ``POST /__sandbox/faults`` ``{"kind", "count", params...}``,
``DELETE /__sandbox/faults``, ``GET /__sandbox/state``, and the operators' secret rotation
``POST /__sandbox/terminal-secrets`` ``{"terminal_id", "secret" (hex), "grace_s"}``: the new
secret is accepted at once and the old one still for ``grace_s`` seconds
(docs/secret-rotation.md).

Given a certificate and key (``tls``), it serves HTTPS only, as the real platform does.
The face check's stand-in: ``POST /__sandbox/faces``
``{"id_number", "image": base64}`` (a resident's registered test image for the face
check's stand-in comparison, ``sandbox.faces``).

Nothing is written to disk but the optional journal (``PlatformStore``). Logs hold method,
path and status only: never bodies, names or full ID numbers (report and verification paths
carry none).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import html
import ipaddress
import logging
import re
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import msgspec

from kiosk.contract import (
    EnterpriseReportRequest,
    Error,
    FaceVerificationRequest,
    Notices,
    ObjectionRequest,
    PrintRecordRequest,
    PublicLists,
    ResidentSession,
    ResidentSessionRequest,
    TerminalPing,
)
from kiosk.platform.signing import MAX_SKEW_S, signature
from sandbox.api_document import openapi_document
from sandbox.faults import Faults
from sandbox.public_content import lists_payload, notices_payload
from sandbox.store import OBJECTION_REASONS, ApiError, PlatformStore, SandboxState, invalid

__all__ = ["Faults", "Sandbox", "SandboxState", "start_sandbox"]

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BODY_BYTES = 1 << 20


class _EventBatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A terminal-events body, each event left raw: the store answers for each one."""

    events: list[msgspec.Raw]


class _SecretRotation(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    terminal_id: str
    secret: str
    """The new secret, as hex."""
    grace_s: float = 3600.0


@dataclass(frozen=True)
class Credential:
    """A terminal's secret, and during a rotation's grace window the one before it."""

    secret: bytes
    previous: bytes | None = None
    previous_until: float = 0.0
    """``time.monotonic()`` after which ``previous`` is refused."""

    def accepted(self, now: float) -> tuple[bytes, ...]:
        if self.previous is not None and now < self.previous_until:
            return (self.secret, self.previous)
        return (self.secret,)

    def rotated(self, secret: bytes, grace_s: float, now: float) -> Credential:
        return Credential(secret, self.secret, now + grace_s)


class _RegisteredFace(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """``POST /__sandbox/faces``: a resident's registered test image (``sandbox.faces``)."""

    id_number: str
    image: bytes


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        terminals: Mapping[str, bytes],
        token_ttl_s: float,
        journal: Path | None,
        operator_token: str | None,
        tls: ssl.SSLContext | None,
    ) -> None:
        super().__init__(address, _Handler)
        self.credentials = {t: Credential(secret) for t, secret in terminals.items()}
        self.credentials_lock = threading.Lock()
        self.tls = tls
        self.operator_token = operator_token
        self.faults = Faults()
        self.store = PlatformStore(token_ttl_s, journal)
        self.stopping = threading.Event()

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host name up (slow without DNS).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"{'http' if self.tls is None else 'https'}://{host!s}:{port}"

    def finish_request(self, request: Any, client_address: Any) -> None:
        """On the connection's own thread: the TLS handshake first, when serving HTTPS (a
        client that refuses the certificate ends here, logged quietly by handle_error)."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(_Handler.timeout)
        with self.tls.wrap_socket(request, server_side=True) as connection:
            super().finish_request(connection, client_address)

    def rotate_secret(self, terminal_id: str, secret: bytes, grace_s: float) -> None:
        """``secret`` is the terminal's from now on; its old one is accepted ``grace_s`` more
        seconds, so terminals that have not re-read their secret file yet keep working."""
        with self.credentials_lock:
            known = self.credentials.get(terminal_id)
            if known is None:
                raise ApiError(404, "UNKNOWN_TERMINAL", "terminal is not registered")
            self.credentials[terminal_id] = known.rotated(secret, grace_s, time.monotonic())
        log.info("sandbox: secret of terminal %s rotated (grace %.0f s)", terminal_id, grace_s)

    def accepted_secrets(self, terminal_id: str) -> tuple[bytes, ...]:
        with self.credentials_lock:
            known = self.credentials.get(terminal_id)
        return () if known is None else known.accepted(time.monotonic())

    def state(self) -> SandboxState:
        return self.store.state(self.faults.pending())

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or go away mid-answer; never a traceback on stderr.
        log.debug("sandbox: connection dropped (%s)", type(sys.exc_info()[1]).__name__)


Route = tuple[str, re.Pattern[str], str, bool]
_ROUTES: tuple[Route, ...] = (
    ("POST", re.compile(r"/api/v1/resident-sessions"), "_open_session", False),
    ("GET", re.compile(r"/api/v1/reports/person"), "_report", False),
    ("POST", re.compile(r"/api/v1/enterprise-reports"), "_enterprise_report", False),
    ("POST", re.compile(r"/api/v1/reports/([A-Z0-9]{8,32})/print-records"), "_print_record", False),
    ("POST", re.compile(r"/api/v1/face-verifications"), "_face_verification", False),
    ("POST", re.compile(r"/api/v1/terminal-events"), "_terminal_events", False),
    ("GET", re.compile(r"/api/v1/public/notices"), "_notices", False),
    ("GET", re.compile(r"/api/v1/public/lists"), "_lists", False),
    ("GET", re.compile(r"/api/v1/verify/([A-Za-z0-9]{1,64})"), "_verify", True),
    ("GET", re.compile(r"/api/v1/openapi\.json"), "_openapi", True),
    ("GET", re.compile(r"/api/v1/terminal/ping"), "_ping", False),
    ("GET", re.compile(r"/api/v1/objections/reasons"), "_objection_reasons", False),
    ("POST", re.compile(r"/api/v1/objections"), "_objection", False),
    (
        "GET",
        re.compile(r"/api/v1/reports/([A-Z0-9]{8,32})/repair-guidance"),
        "_repair_guidance",
        False,
    ),
    # Not signed by a terminal: the handler checks the operator token.
    ("GET", re.compile(r"/api/v1/fleet/terminals"), "_fleet_terminals", True),
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "XintaiCreditSandbox/1.0"
    timeout = 30  # seconds an idle client may hold a connection

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("sandbox: %s %s -> %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: http.server's own messages may quote the request line."""

    # --- plumbing ---
    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        self._query = parse_qsl(url.query, keep_blank_values=True)
        try:
            self._body = self._read_body()
            if path.startswith("/__sandbox/"):
                self._admin(path)
                return
            route, groups = self._route(path)
            if self._fault(path):
                return
            terminal_id = "" if route[3] else self._authenticate(path)
            handler: Callable[..., None] = getattr(self, route[2])
            handler(terminal_id, *groups)
        except ApiError as error:
            self._send_json(error.status, Error(error.code, error.message), error.headers)
        except OSError:
            raise  # the connection failed: handle_error logs it quietly
        except Exception:
            log.exception("sandbox: %s %s failed", self.command, path)
            self._send_json(500, Error("INTERNAL_ERROR", "internal error"))

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length", "0")
        if not _is_number(length_text):
            raise ApiError(400, "INVALID_REQUEST", "Content-Length is not a number")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(
                413, "PAYLOAD_TOO_LARGE", f"bodies are limited to {MAX_BODY_BYTES} bytes"
            )
        return self.rfile.read(length) if length else b""

    def _route(self, path: str) -> tuple[Route, tuple[str, ...]]:
        allowed = []
        for route in _ROUTES:
            match = route[1].fullmatch(path)
            if match is None:
                continue
            if route[0] == self.command:
                return route, match.groups()
            allowed.append(route[0])
        if allowed:
            raise ApiError(
                405, "METHOD_NOT_ALLOWED", "method not allowed", {"Allow": ", ".join(allowed)}
            )
        raise ApiError(404, "NOT_FOUND", "no such resource")

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        body = msgspec.json.encode(payload)
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _decode_body(self, body_type: type[T]) -> T:
        """The request body as the contract's ``body_type``; 400 naming what is wrong."""
        try:
            return msgspec.json.decode(self._body, type=body_type)
        except msgspec.DecodeError as error:
            raise invalid(str(error)) from None

    # --- faults and authentication ---
    def _fault(self, path: str) -> bool:
        """Apply a due fault; True when it has answered (or dropped) the request."""
        fault = self.server.faults.take(path, self.headers.get("Authorization") is not None)
        if fault is None:
            return False
        log.info("sandbox: injecting %s on %s", fault.kind, path)
        if fault.kind == "latency":
            self.server.stopping.wait(fault.number("ms", 500) / 1000)
        elif fault.kind == "hang":
            self.server.stopping.wait(fault.number("seconds", 30))
        elif fault.kind == "reset":
            linger = struct.pack("ii", 1, 0)  # close with RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            self.close_connection = True
            return True
        elif fault.kind == "malformed_json":
            self._send(200, b'{"report_no": "XT2025', "application/json; charset=utf-8")
            return True
        elif fault.kind == "expired_token":
            raise ApiError(401, "TOKEN_EXPIRED", "resident session has expired")
        elif fault.kind == "http_500":
            raise ApiError(500, "INTERNAL_ERROR", "internal error")
        elif fault.kind == "http_503":
            retry = (
                {"Retry-After": str(int(fault.params["retry_after"]))}
                if "retry_after" in fault.params
                else {}
            )
            raise ApiError(503, "SERVICE_UNAVAILABLE", "platform is under maintenance", retry)
        elif fault.kind == "http_429":
            retry_after = str(int(fault.number("retry_after", 2)))
            raise ApiError(429, "RATE_LIMITED", "too many requests", {"Retry-After": retry_after})
        return False

    def _authenticate(self, path: str) -> str:
        headers = [
            self.headers.get(h) for h in ("X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Signature")
        ]
        terminal_id, timestamp, nonce, given = headers
        if terminal_id is None or timestamp is None or nonce is None or given is None:
            raise ApiError(401, "BAD_SIGNATURE", "authentication headers are missing")
        keys = self.server.accepted_secrets(terminal_id)
        if not keys:
            raise ApiError(401, "UNKNOWN_TERMINAL", "terminal is not registered")
        now = time.time()
        if not _is_number(timestamp) or abs(now - int(timestamp)) > MAX_SKEW_S:
            raise ApiError(401, "CLOCK_SKEW", f"timestamp is more than {MAX_SKEW_S} s off")
        matches = [
            hmac.compare_digest(
                signature(
                    key, self.command, path, self._query, timestamp, nonce, self._body
                ).encode(),
                given.encode(),
            )
            for key in keys
        ]
        if not any(matches) or not 0 < len(nonce) <= 64:
            raise ApiError(401, "BAD_SIGNATURE", "signature does not match")
        if not matches[0]:
            log.info("sandbox: terminal %s signed with its previous secret", terminal_id)
        if not self.server.store.use_nonce(terminal_id, nonce, now):
            raise ApiError(401, "NONCE_REUSED", "nonce was used before")
        return terminal_id

    # --- endpoints ---
    def _open_session(self, terminal_id: str) -> None:
        evidence = self._decode_body(ResidentSessionRequest)
        token = self.server.store.open_session(terminal_id, evidence)
        log.info("sandbox: resident session opened")
        self._send_json(201, ResidentSession(token, int(self.server.store.token_ttl_s)))

    def _bearer_token(self) -> str:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "TOKEN_INVALID", "a resident session token is required")
        return token

    def _report(self, terminal_id: str) -> None:
        report = self.server.store.issue_report(terminal_id, self._bearer_token())
        log.info("sandbox: report %s issued for %s", report.report_no, report.subject_id_masked)
        self._send_json(200, report, {"Cache-Control": "no-store"})

    def _enterprise_report(self, terminal_id: str) -> None:
        token = self._bearer_token()
        request = self._decode_body(EnterpriseReportRequest)
        report = self.server.store.issue_enterprise_report(terminal_id, token, request.uscc)
        log.info("sandbox: enterprise report %s issued for %s", report.report_no, request.uscc)
        self._send_json(200, report, {"Cache-Control": "no-store"})

    def _face_verification(self, terminal_id: str) -> None:
        token = self._bearer_token()
        request = self._decode_body(FaceVerificationRequest)
        reply = self.server.store.verify_face(terminal_id, token, request.image_jpeg)
        log.info("sandbox: face verification %s", reply.outcome)
        self._send_json(200, reply, {"Cache-Control": "no-store"})

    def _print_record(self, terminal_id: str, report_no: str) -> None:
        key = self.headers.get("Idempotency-Key", "")
        record = self._decode_body(PrintRecordRequest)
        receipt = self.server.store.record_print(terminal_id, key, report_no, record)
        self._send_json(201 if receipt.status == "recorded" else 200, receipt)

    def _terminal_events(self, terminal_id: str) -> None:
        batch = self._decode_body(_EventBatch)
        secrets = self.server.accepted_secrets(terminal_id)
        self._send_json(200, self.server.store.record_events(terminal_id, batch.events, secrets))

    def _objection_reasons(self, terminal_id: str) -> None:
        self._send_json(200, OBJECTION_REASONS, {"Cache-Control": "no-store"})

    def _objection(self, terminal_id: str) -> None:
        token = self._bearer_token()
        request = self._decode_body(ObjectionRequest)
        accepted = self.server.store.file_objection(terminal_id, token, request)
        log.info("sandbox: objection %s %s", accepted.acceptance_no, accepted.status)
        self._send_json(201 if accepted.status == "accepted" else 200, accepted)

    def _repair_guidance(self, terminal_id: str, report_no: str) -> None:
        token = self._bearer_token()
        query = dict(self._query)
        section, row = query.get("section", ""), query.get("row", "")
        if not _is_number(row):
            raise invalid("row must be a row index")
        guidance = self.server.store.repair_guidance(
            terminal_id, token, report_no, section, int(row)
        )
        self._send_json(200, guidance, {"Cache-Control": "no-store"})

    def _notices(self, terminal_id: str) -> None:
        self._send_cacheable(*_public_body("notices"))

    def _lists(self, terminal_id: str) -> None:
        self._send_cacheable(*_public_body("lists"))

    def _send_cacheable(self, body: bytes, etag: str) -> None:
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        asked = [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]
        if "*" in asked or etag in asked or f"W/{etag}" in asked:
            self._send(304, b"", None, headers)
        else:
            self._send(200, body, "application/json; charset=utf-8", headers)

    def _verify(self, terminal_id: str, report_no: str) -> None:
        issued = self.server.store.verify(report_no, dict(self._query).get("code", ""))
        if issued is None:
            lines = ["未找到与该报告编号和核验码相符的报告，请核对后重试。"]
            self._send(404, _page("报告核验未通过", lines), "text/html; charset=utf-8")
            return
        lines = [
            "该公共信用信息报告真实有效。",
            f"报告编号：{report_no}",
            f"出具时间：{issued.issued_at:%Y-%m-%d %H:%M}",
            f"信息主体：{issued.name_masked}（{issued.id_masked}）",
        ]
        self._send(200, _page("报告核验通过", lines), "text/html; charset=utf-8")

    def _ping(self, terminal_id: str) -> None:
        now = dt.datetime.now(dt.UTC)
        self._send_json(200, TerminalPing(terminal_id, now), {"Cache-Control": "no-store"})

    def _openapi(self, terminal_id: str) -> None:
        document = openapi_document(self.server.url)
        self._send_json(200, document, {"Cache-Control": "public, max-age=3600"})

    def _fleet_terminals(self, terminal_id: str) -> None:
        expected = self.server.operator_token
        if expected is None:
            raise ApiError(403, "FORBIDDEN", "fleet status needs an operator token configured")
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
            raise ApiError(401, "OPERATOR_TOKEN_INVALID", "an operator bearer token is required")
        self._send_json(200, self.server.store.fleet_terminals(), {"Cache-Control": "no-store"})

    # --- admin (loopback only, no signature) ---
    def _admin(self, path: str) -> None:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            raise ApiError(403, "FORBIDDEN", "sandbox admin answers loopback clients only")
        faults = self.server.faults
        if path == "/__sandbox/faults" and self.command == "POST":
            data = self._decode_body(dict[str, Any])
            kind, count = data.pop("kind", None), data.pop("count", 1)
            if not isinstance(kind, str):
                raise ApiError(400, "INVALID_REQUEST", "kind is required")
            try:
                faults.inject(kind, count, **data)
            except ValueError as error:
                raise ApiError(400, "INVALID_REQUEST", str(error)) from None
            self._send_json(201, {"pending": faults.pending()})
        elif path == "/__sandbox/faults" and self.command == "DELETE":
            faults.clear()
            self._send_json(200, {"pending": 0})
        elif path == "/__sandbox/faces" and self.command == "POST":
            face = self._decode_body(_RegisteredFace)
            self.server.store.faces.register(face.id_number, face.image)
            self._send_json(201, {"registered": True})
        elif path == "/__sandbox/state" and self.command == "GET":
            self._send_json(200, self.server.state())
        elif path == "/__sandbox/terminal-secrets" and self.command == "POST":
            rotation = self._decode_body(_SecretRotation)
            try:
                secret = bytes.fromhex(rotation.secret)
            except ValueError:
                raise ApiError(400, "INVALID_REQUEST", "secret must be hex") from None
            if len(secret) < 16 or rotation.grace_s < 0:
                raise ApiError(400, "INVALID_REQUEST", "secret too short or grace_s negative")
            self.server.rotate_secret(rotation.terminal_id, secret, rotation.grace_s)
            self._send_json(200, {"terminal_id": rotation.terminal_id})
        else:
            raise ApiError(404, "NOT_FOUND", "no such sandbox resource")


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


@functools.cache
def _public_body(name: str) -> tuple[bytes, str]:
    content: Notices | PublicLists = (
        msgspec.convert(notices_payload(), Notices)
        if name == "notices"
        else msgspec.convert(lists_payload(), PublicLists)
    )
    body = msgspec.json.encode(content)
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def _page(title: str, lines: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{paragraphs}"
        "<p>信用新泰 · 公共信用信息报告核验</p></body></html>"
    ).encode()


# --- running it ------------------------------------------------------------------------------


class Sandbox:
    """A running sandbox platform. ``stop()`` (or leaving a ``with`` block) frees its port."""

    def __init__(self, server: _Server) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-platform",
            daemon=True,
        )
        self._stopped = False
        self._thread.start()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https://`` when serving TLS)"""
        return self._server.url

    @property
    def faults(self) -> Faults:
        return self._server.faults

    def state(self) -> SandboxState:
        return self._server.state()

    def rotate_secret(self, terminal_id: str, secret: bytes, grace_s: float) -> None:
        """The operators' rotation (``POST /__sandbox/terminal-secrets``)."""
        self._server.rotate_secret(terminal_id, secret, grace_s)

    def register_face(self, id_number: str, image: bytes) -> None:
        """Give resident ``id_number`` a registered test image (``sandbox.faces``)."""
        self._server.store.faces.register(id_number, image)

    def accepted_keys(self, terminal_id: str) -> dict[str, str]:
        """Idempotency key → kind of all the platform accepted from ``terminal_id``
        (deduplicated: each key once however often it was sent)."""
        return self._server.store.accepted_keys(terminal_id)

    def objection_phones(self) -> dict[str, str]:
        """Acceptance number → the follow-up phone filed with it, as the platform received it."""
        return dict(self._server.store.phones)

    def stop(self, timeout: float = 5.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.stopping.set()  # wakes handlers sleeping in latency/hang faults
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout)
        self._server.store.close()

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True once the sandbox has been stopped."""
        return self._server.stopping.wait(timeout)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_sandbox(
    terminals: Mapping[str, bytes],
    host: str = "127.0.0.1",
    port: int = 0,
    token_ttl_s: float = 600.0,
    journal: Path | None = None,
    operator_token: str | None = None,
    tls: tuple[Path, Path] | None = None,
) -> Sandbox:
    """Start the sandbox platform in a daemon thread; ``terminals`` maps terminal id → secret;
    ``journal``: a file to remember what it received across restarts (``PlatformStore``);
    ``operator_token``: what ``GET /api/v1/fleet/terminals`` asks of operators;
    ``tls``: (certificate PEM, key PEM): serve HTTPS with them."""
    context = None
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
    server = _Server((host, port), terminals, token_ttl_s, journal, operator_token, context)
    return Sandbox(server)
