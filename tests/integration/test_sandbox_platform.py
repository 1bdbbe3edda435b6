"""The platform client against the sandbox platform on loopback: contract, auth and faults."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import requests

from kiosk.contract import EventsAck, HeartbeatEvent, PrintRecordRequest, QueryRecordEvent
from kiosk.platform.client import (
    IdentityMismatch,
    MalformedReply,
    PlatformClient,
    PlatformError,
    PlatformRejected,
    PlatformUnavailable,
    SessionExpired,
    TerminalAuthFailed,
)
from kiosk.platform.signing import signed_headers
from kiosk.report_model import verify_url
from sandbox import population
from sandbox.server import Sandbox, start_sandbox
from tests.cards import make_card
from tests.payloads import heartbeat, query_record

TERMINAL = "XT-TEST-001"
SECRET = bytes.fromhex("5f1c0a7e9b2d4c3e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e")
CONNECT_S = 0.5
READ_S = 0.5
RETRIES = 2
BACKOFF_S = 0.01
# Longest a call may take: every attempt times out, plus back-off and scheduling slack.
CALL_BOUND_S = (RETRIES + 1) * (CONNECT_S + READ_S) + 1.0
RICH = population.richest_resident()
NOW = "2026-11-24T10:30:00+08:00"
A4 = PrintRecordRequest("a4", dt.datetime.fromisoformat(NOW), 7, True)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: SECRET}) as running:
        yield running


def make_client(url: str, secret: bytes = SECRET, terminal: str = TERMINAL) -> PlatformClient:
    return PlatformClient(
        url,
        terminal,
        secret,
        connect_timeout=CONNECT_S,
        read_timeout=READ_S,
        retries=RETRIES,
        backoff_s=BACKOFF_S,
    )


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PlatformClient]:
    with make_client(sandbox.url) as platform:
        yield platform


def raw(
    sandbox: Sandbox,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    now: float | None = None,
    sign_path: str | None = None,
) -> requests.Response:
    """One signed request sent by hand, to see the status codes the client hides."""
    data = b"" if body is None else json.dumps(body).encode()
    sent = signed_headers(TERMINAL, SECRET, method, sign_path or path, [], data, now)
    sent.update(headers or {})
    with requests.request(
        method, sandbox.url + path, data=data or None, headers=sent, timeout=2
    ) as response:
        response.content  # noqa: B018 - read it before the connection closes
        return response


def beat(key: str) -> HeartbeatEvent:
    return HeartbeatEvent(
        idempotency_key=key, occurred_at=dt.datetime.fromisoformat(NOW), payload=heartbeat()
    )


def query(key: str, report_no: str) -> QueryRecordEvent:
    return QueryRecordEvent(
        idempotency_key=key,
        occurred_at=dt.datetime.fromisoformat(NOW),
        payload=query_record(report_no),
    )


# --- the one path ---


def test_full_flow_session_report_print_events(
    sandbox: Sandbox, client: PlatformClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card = RICH.card()
    token = client.open_resident_session(card)
    report = client.fetch_report(token)

    assert re.fullmatch(r"XT[0-9]{14}", report.report_no)
    assert re.fullmatch(r"[A-Z0-9]{8}", report.verify_code)
    assert report.subject_name == card.name
    expected = population.build_report(RICH, report.report_no, report.verify_code, report.issued_at)
    assert report == expected
    assert report.on_black_list and report.count("admin_penalty") > 0

    statuses = [client.post_print_record(report.report_no, "print-1", A4).status for _ in "ab"]
    assert statuses == ["recorded", "duplicate"]  # the second time counted once
    receipt = PrintRecordRequest("receipt", dt.datetime.now(dt.UTC), 1, True)
    client.post_print_record(report.report_no, "print-2", receipt)

    first = client.post_terminal_events(
        [query("e1", report.report_no), beat("e2"), query("e1", report.report_no)]
    )
    assert first == EventsAck(accepted=("e1", "e2"), duplicates=("e1",), rejected=())

    state = sandbox.state()
    assert (state["sessions"], state["reports"], state["print_records"]) == (1, 1, 2)
    assert state["events_by_kind"] == {"query_record": 1, "heartbeat": 1}
    # Neither side logged the resident's name or full ID number.
    assert card.name not in caplog.text
    assert card.id_number not in caplog.text


def test_events_are_answered_for_one_by_one(sandbox: Sandbox, client: PlatformClient) -> None:
    client.post_terminal_events([beat("e1")])
    events = [
        msgspec.to_builtins(beat("e1")),
        {**msgspec.to_builtins(beat("e2")), "kind": "bogus"},
        {"idempotency_key": "e3", "kind": "heartbeat"},
        {**msgspec.to_builtins(beat("e4")), "payload": {"version": "1.0.0"}},
        {"kind": "heartbeat"},
        msgspec.to_builtins(beat("e5")),
    ]
    response = raw(sandbox, "POST", "/api/v1/terminal-events", {"events": events})
    ack = msgspec.json.decode(response.content, type=EventsAck)
    assert ack.accepted == ("e5",) and ack.duplicates == ("e1",)
    assert [(r.idempotency_key, r.code) for r in ack.rejected] == [
        ("e2", "UNKNOWN_KIND"),
        ("e3", "INVALID_EVENT"),
        ("e4", "INVALID_EVENT"),
        ("", "INVALID_EVENT"),
    ]
    assert "$.payload" in ack.rejected[2].message
    too_many = raw(sandbox, "POST", "/api/v1/terminal-events", {"events": [events[0]] * 501})
    assert (too_many.status_code, too_many.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_print_record_status_codes_and_conflicts(sandbox: Sandbox, client: PlatformClient) -> None:
    report = client.fetch_report(client.open_resident_session(RICH.card()))
    path = f"/api/v1/reports/{report.report_no}/print-records"
    record = {"kind": "receipt", "printed_at": NOW, "pages": 1, "confirmed": True}
    key = {"Idempotency-Key": "k-1"}
    assert raw(sandbox, "POST", path, record, key).status_code == 201
    assert raw(sandbox, "POST", path, record, key).status_code == 200
    changed = raw(sandbox, "POST", path, dict(record, pages=2), key)
    assert (changed.status_code, changed.json()["code"]) == (409, "IDEMPOTENCY_CONFLICT")
    unkeyed = raw(sandbox, "POST", path, record)
    assert (unkeyed.status_code, unkeyed.json()["code"]) == (400, "INVALID_REQUEST")
    bad = raw(sandbox, "POST", path, dict(record, kind="fax"), {"Idempotency-Key": "k-2"})
    assert bad.status_code == 400 and "$.kind" in bad.json()["message"]
    with pytest.raises(PlatformRejected) as error:
        client.post_print_record("XT20260101999999", "k-3", A4)
    assert error.value.code == "REPORT_NOT_FOUND"


def test_verify_page(sandbox: Sandbox, client: PlatformClient) -> None:
    report = client.fetch_report(client.open_resident_session(RICH.card()))
    with requests.get(verify_url(sandbox.url, report), timeout=2) as page:
        assert page.status_code == 200
        assert "text/html" in page.headers["Content-Type"]
        assert "真实有效" in page.text and report.report_no in page.text
        assert RICH.name not in page.text and RICH.id_number not in page.text
    wrong = f"{sandbox.url}/api/v1/verify/{report.report_no}?code=AAAAAAAA"
    unknown = f"{sandbox.url}/api/v1/verify/XT20990101000001?code={report.verify_code}"
    for url in (wrong, unknown):
        with requests.get(url, timeout=2) as page:
            assert page.status_code == 404
            assert "核验未通过" in page.text


def test_identity_mismatch(client: PlatformClient) -> None:
    card = RICH.card()
    impostor = type(card)(**{**vars(card), "name": "王某某"})
    with pytest.raises(IdentityMismatch) as error:
        client.open_resident_session(impostor)
    assert error.value.code == "IDENTITY_MISMATCH"
    assert card.id_number not in str(error.value) and "王某某" not in str(error.value)


def test_someone_outside_the_population_gets_a_clean_report(client: PlatformClient) -> None:
    report = client.fetch_report(client.open_resident_session(make_card()))
    assert report.count("basic") > 0
    assert not report.on_black_list and not report.on_red_list


@pytest.mark.parametrize(
    "body",
    [
        {"id_number": "370982199003071234", "name": "测试", "card_type": "resident"},
        {"id_number": "37098219900307123X", "name": "测试", "card_type": "resident",
         "valid_to": "long_term"},
        {"id_number": RICH.id_number, "name": " ", "card_type": "resident", "valid_to": "长期"},
        {"id_number": RICH.id_number, "name": RICH.name, "card_type": "foreign_pr",
         "valid_to": "long_term"},
        [],
    ],
)  # fmt: skip
def test_malformed_session_request_is_invalid(sandbox: Sandbox, body: Any) -> None:
    response = raw(sandbox, "POST", "/api/v1/resident-sessions", body)
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_REQUEST")


# --- authentication ---


def test_bad_signature_is_refused(sandbox: Sandbox) -> None:
    with (
        make_client(sandbox.url, secret=b"not the secret") as client,
        pytest.raises(TerminalAuthFailed) as error,
    ):
        client.public_notices()
    assert error.value.code == "BAD_SIGNATURE"


def test_signature_must_cover_the_path_sent(sandbox: Sandbox) -> None:
    response = raw(sandbox, "GET", "/api/v1/public/lists", sign_path="/api/v1/public/notices")
    assert (response.status_code, response.json()["code"]) == (401, "BAD_SIGNATURE")


def test_unknown_terminal_is_refused(sandbox: Sandbox) -> None:
    with (
        make_client(sandbox.url, terminal="XT-NOBODY") as client,
        pytest.raises(TerminalAuthFailed) as error,
    ):
        client.public_lists()
    assert error.value.code == "UNKNOWN_TERMINAL"


@pytest.mark.parametrize("skew", [-301, 301])
def test_clock_skew_is_refused(sandbox: Sandbox, skew: int) -> None:
    response = raw(sandbox, "GET", "/api/v1/public/notices", now=time.time() + skew)
    assert (response.status_code, response.json()["code"]) == (401, "CLOCK_SKEW")
    assert raw(sandbox, "GET", "/api/v1/public/notices", now=time.time() - 250).status_code == 200


def test_replayed_nonce_is_refused(sandbox: Sandbox) -> None:
    headers = signed_headers(TERMINAL, SECRET, "GET", "/api/v1/public/notices", [], b"")
    url = sandbox.url + "/api/v1/public/notices"
    with requests.get(url, headers=headers, timeout=2) as first:
        assert first.status_code == 200
    with requests.get(url, headers=headers, timeout=2) as replay:
        assert (replay.status_code, replay.json()["code"]) == (401, "NONCE_REUSED")


def test_unsigned_requests_are_refused_except_public_paths(sandbox: Sandbox) -> None:
    with requests.get(sandbox.url + "/api/v1/public/notices", timeout=2) as response:
        assert (response.status_code, response.json()["code"]) == (401, "BAD_SIGNATURE")
    with requests.get(sandbox.url + "/api/v1/openapi.json", timeout=2) as response:
        assert response.status_code == 200


def test_unknown_and_expired_tokens(sandbox: Sandbox, client: PlatformClient) -> None:
    with pytest.raises(SessionExpired) as error:
        client.fetch_report("no-such-token")
    assert error.value.code == "TOKEN_INVALID"
    with start_sandbox({TERMINAL: SECRET}, token_ttl_s=0) as short, make_client(short.url) as c:
        token = c.open_resident_session(RICH.card())
        with pytest.raises(SessionExpired) as error:
            c.fetch_report(token)
    assert error.value.code == "TOKEN_EXPIRED"


def test_token_belongs_to_its_terminal(sandbox: Sandbox) -> None:
    with (
        start_sandbox({TERMINAL: SECRET, "XT-TEST-002": b"other"}) as shared,
        make_client(shared.url) as one,
        make_client(shared.url, secret=b"other", terminal="XT-TEST-002") as two,
    ):
        token = one.open_resident_session(RICH.card())
        with pytest.raises(SessionExpired):
            two.fetch_report(token)


# --- faults ---

FAULTS: list[tuple[str, dict[str, Any], type[PlatformError], str]] = [
    ("http_500", {}, PlatformUnavailable, "INTERNAL_ERROR"),
    ("http_503", {}, PlatformUnavailable, "SERVICE_UNAVAILABLE"),
    ("http_429", {"retry_after": 7}, PlatformUnavailable, "RATE_LIMITED"),
    ("hang", {"seconds": 5}, PlatformUnavailable, "TIMEOUT"),
    ("reset", {}, PlatformUnavailable, "CONNECTION_FAILED"),
    ("malformed_json", {}, MalformedReply, "MALFORMED_REPLY"),
    ("expired_token", {}, SessionExpired, "TOKEN_EXPIRED"),
]


@pytest.mark.parametrize("kind, params, error_type, code", FAULTS, ids=[f[0] for f in FAULTS])
def test_every_fault_maps_to_its_error_within_the_timeouts(
    sandbox: Sandbox,
    client: PlatformClient,
    kind: str,
    params: dict[str, Any],
    error_type: type[PlatformError],
    code: str,
) -> None:
    token = client.open_resident_session(RICH.card())
    sandbox.faults.inject(kind, count=RETRIES + 1, **params)
    started = time.monotonic()
    with pytest.raises(error_type) as error:
        client.fetch_report(token)
    assert time.monotonic() - started < CALL_BOUND_S
    assert error.value.code == code
    if kind == "http_429":
        assert isinstance(error.value, PlatformUnavailable) and error.value.retry_after == 7


def test_hang_is_not_repeated(sandbox: Sandbox, client: PlatformClient) -> None:
    sandbox.faults.inject("hang", count=RETRIES + 1, seconds=5)
    started = time.monotonic()
    with pytest.raises(PlatformUnavailable):
        client.public_notices()
    assert time.monotonic() - started < CONNECT_S + READ_S + 0.5
    assert sandbox.faults.pending() == RETRIES


def test_latency_below_the_read_timeout_is_fine(sandbox: Sandbox, client: PlatformClient) -> None:
    sandbox.faults.inject("latency", ms=150)
    assert client.public_notices() is not None
    assert sandbox.faults.pending() == 0


def test_get_is_retried_after_a_single_503(sandbox: Sandbox, client: PlatformClient) -> None:
    token = client.open_resident_session(RICH.card())
    sandbox.faults.inject("http_503", path="/api/v1/reports/person")
    report = client.fetch_report(token)
    assert report.subject_name == RICH.name
    assert sandbox.faults.pending() == 0


def test_get_is_retried_after_a_dropped_connection(
    sandbox: Sandbox, client: PlatformClient
) -> None:
    sandbox.faults.inject("reset", count=RETRIES)
    assert client.public_lists() is not None


def test_session_post_is_never_repeated(sandbox: Sandbox, client: PlatformClient) -> None:
    for kind in ("reset", "http_503"):
        sandbox.faults.inject(kind, path="/api/v1/resident-sessions")
        with pytest.raises(PlatformUnavailable):
            client.open_resident_session(RICH.card())
        assert sandbox.faults.pending() == 0
    assert sandbox.state()["sessions"] == 0
    client.open_resident_session(RICH.card())
    assert sandbox.state()["sessions"] == 1


def test_keyed_posts_are_repeated(sandbox: Sandbox, client: PlatformClient) -> None:
    report = client.fetch_report(client.open_resident_session(RICH.card()))
    sandbox.faults.inject("http_503", path="/api/v1/reports/")
    client.post_print_record(report.report_no, "p-1", A4)
    sandbox.faults.inject("reset", path="/api/v1/terminal-events")
    assert client.post_terminal_events([beat("e-1")]).accepted == ("e-1",)
    state = sandbox.state()
    assert state["print_records"] == 1 and state["faults_pending"] == 0
    assert state["events_by_kind"] == {"heartbeat": 1}


def test_expired_token_fault_waits_for_a_token(sandbox: Sandbox, client: PlatformClient) -> None:
    sandbox.faults.inject("expired_token")
    assert client.public_notices() is not None
    token = client.open_resident_session(RICH.card())
    with pytest.raises(SessionExpired):
        client.fetch_report(token)


def test_platform_down(sandbox: Sandbox) -> None:
    url = sandbox.url
    sandbox.stop()
    with make_client(url) as client:
        started = time.monotonic()
        assert client.ping() is False
        with pytest.raises(PlatformUnavailable) as error:
            client.open_resident_session(RICH.card())
        assert error.value.code == "CONNECTION_FAILED"
        assert time.monotonic() - started < 2 * CALL_BOUND_S


def test_ping(sandbox: Sandbox, client: PlatformClient) -> None:
    assert client.ping() is True
    sandbox.faults.inject("http_503")
    assert client.ping() is False


def test_faults_over_http(sandbox: Sandbox, client: PlatformClient) -> None:
    admin = sandbox.url + "/__sandbox/faults"
    with requests.post(admin, json={"kind": "http_500", "count": 2}, timeout=2) as response:
        assert (response.status_code, response.json()) == (201, {"pending": 2})
    with requests.post(admin, json={"kind": "flood"}, timeout=2) as response:
        assert response.status_code == 400
    with requests.post(admin, json={"kind": "latency", "seconds": 1}, timeout=2) as response:
        assert response.status_code == 400
    with pytest.raises(PlatformUnavailable):
        client.public_notices()
    with requests.delete(admin, timeout=2) as response:
        assert response.json() == {"pending": 0}
    assert client.public_notices() is not None
    client.post_terminal_events([beat("h-1")])
    with requests.get(sandbox.url + "/__sandbox/state", timeout=2) as response:
        assert response.json() == {
            "sessions": 0,
            "reports": 0,
            "print_records": 0,
            "events_by_kind": {"heartbeat": 1},
            "faults_pending": 0,
        }


def test_fault_injection_rejects_nonsense(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.inject("meteor")
    with pytest.raises(ValueError):
        sandbox.faults.inject("http_503", count=0)
    with pytest.raises(ValueError):
        sandbox.faults.inject("hang", ms=3)


# --- public content and the contract document ---


def test_public_content_is_cacheable(client: PlatformClient) -> None:
    notices = client.public_notices()
    assert notices is not None and notices.etag and notices.max_age_s == 300
    assert len(notices.items) >= 3 and all(n.title and n.source for n in notices.items)
    assert client.public_notices(notices.etag) is None
    lists = client.public_lists()
    assert lists is not None and lists.etag != notices.etag
    assert client.public_lists(lists.etag) is None
    assert client.public_lists('"stale"') is not None
    assert {e.list_kind for e in lists.items} == {"red", "black"}
    for entry in lists.items:
        assert re.fullmatch(r"91370982[0-9A-HJ-NPQRTUWXY]{10}", entry.credit_code)
    text = lists.body.decode() + notices.body.decode()
    assert not re.search(r"(?<![0-9A-Z])[1-9][0-9]{16}[0-9X](?![0-9A-Z])", text)


def test_if_none_match_gives_304(sandbox: Sandbox) -> None:
    first = raw(sandbox, "GET", "/api/v1/public/lists")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = raw(
        sandbox, "GET", "/api/v1/public/lists", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_openapi_lists_every_path(sandbox: Sandbox) -> None:
    with requests.get(sandbox.url + "/api/v1/openapi.json", timeout=2) as response:
        document = response.json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/resident-sessions",
        "/api/v1/face-verifications",
        "/api/v1/reports/person",
        "/api/v1/enterprise-reports",
        "/api/v1/reports/{report_no}/print-records",
        "/api/v1/terminal-events",
        "/api/v1/public/notices",
        "/api/v1/public/lists",
        "/api/v1/terminal/ping",
        "/api/v1/verify/{report_no}",
        "/api/v1/openapi.json",
        "/api/v1/fleet/terminals",
        "/api/v1/objections/reasons",
        "/api/v1/objections",
        "/api/v1/reports/{report_no}/repair-guidance",
    }
    assert document["servers"] == [{"url": sandbox.url}]
    assert {"CreditReport", "Error", "EventsAck"} <= set(document["components"]["schemas"])


def test_unknown_path_and_wrong_method(sandbox: Sandbox) -> None:
    missing = raw(sandbox, "GET", "/api/v1/nothing-here")
    assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
    wrong = raw(sandbox, "DELETE", "/api/v1/terminal-events")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "METHOD_NOT_ALLOWED")


def test_a_journal_remembers_what_was_received_across_a_restart(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    with start_sandbox({TERMINAL: SECRET}, journal=journal) as first:
        with make_client(first.url) as client:
            report = client.fetch_report(client.open_resident_session(RICH.card()))
            client.post_print_record(report.report_no, "print-1", A4)
            client.post_terminal_events([query("e1", report.report_no)])
        url = first.url
    with start_sandbox(
        {TERMINAL: SECRET}, port=int(url.rsplit(":", 1)[1]), journal=journal
    ) as again:
        with make_client(again.url) as client:
            # Sent again after a restart (the answer was lost): duplicates, counted once.
            assert client.post_print_record(report.report_no, "print-1", A4).status == "duplicate"
            ack = client.post_terminal_events([query("e1", report.report_no), beat("e2")])
            assert (ack.accepted, ack.duplicates) == (("e2",), ("e1",))
            fresh = client.fetch_report(client.open_resident_session(RICH.card()))
            assert fresh.report_no != report.report_no
        assert again.state()["reports"] == 2
        assert again.accepted_keys(TERMINAL) == {
            "print-1": "print_record",
            "e1": "query_record",
            "e2": "heartbeat",
        }
    text = journal.read_text(encoding="utf-8")
    assert RICH.name not in text and RICH.card().id_number not in text
