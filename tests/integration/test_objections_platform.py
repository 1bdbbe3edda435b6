"""Objections and repair guidance between the real client and the sandbox (in a thread):
the reasons list, filing once per key online or from an outbox, later reports marking the
row 异议处理中, the sealed phone, and the repair rules for every kind of record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import msgspec
import pytest

from kiosk.contract import ObjectionEvent, ObjectionReason, ObjectionRequest
from kiosk.objections import RecordRef, objection_request, queued_objection
from kiosk.platform.client import PlatformClient, PlatformRejected
from kiosk.platform.sealing import seal
from sandbox import population
from sandbox.records import REFERENCE_DATE, years_later
from sandbox.server import Sandbox, start_sandbox

TERMINAL = "XT-OBJECTION-1"
SECRET = b"objection-test-secret"
PHONE = "13812345678"
AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)
WRONG = ObjectionReason("wrong_information", "信息错误")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: SECRET}) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox.url, TERMINAL, SECRET, retries=0) as platform:
        yield platform


def _session(client: PlatformClient, key: str) -> tuple[str, msgspec.Struct]:
    token = client.open_resident_session(population.by_key(key).card())
    return token, client.fetch_report(token)


def test_the_reasons_are_the_platforms_list(client: PlatformClient) -> None:
    labels = [r.label for r in client.objection_reasons()]
    assert labels == ["信息错误", "已履行/已整改", "非本人", "其他"]


def test_an_objection_is_filed_once_and_later_reports_mark_the_row(
    sandbox: Sandbox, client: PlatformClient
) -> None:
    token, report = _session(client, "r02")
    request = objection_request(report, RecordRef("admin_penalty", 2), WRONG, PHONE)
    first = client.file_objection(token, request)
    again = client.file_objection(token, request)
    assert (first.status, again.status) == ("accepted", "duplicate")
    assert again.acceptance_no == first.acceptance_no and first.respond_by > AT.date()
    assert sandbox.objection_phones() == {first.acceptance_no: PHONE}

    # the same objection delivered from an outbox later is a duplicate, not a second one
    event = ObjectionEvent(
        idempotency_key=request.idempotency_key,
        occurred_at=AT,
        payload=queued_objection(request, TERMINAL, SECRET, AT),
    )
    ack = client.post_terminal_events([event])
    assert ack.duplicates == (request.idempotency_key,) and not ack.accepted
    assert sandbox.state()["events_by_kind"]["objection"] == 1

    later = client.fetch_report(client.open_resident_session(population.by_key("r02").card()))
    assert later.section("admin_penalty").objections == (2,)
    assert all(s.objections == () for s in later.sections if s.key != "admin_penalty")


def test_a_queued_objection_is_filed_with_its_sealed_phone(
    sandbox: Sandbox, client: PlatformClient
) -> None:
    _, report = _session(client, "r03")
    request = objection_request(report, RecordRef("red_list", 0), WRONG, PHONE)
    payload = queued_objection(request, TERMINAL, SECRET, AT)
    assert payload.phone_sealed is not None and PHONE not in payload.phone_sealed
    event = ObjectionEvent(idempotency_key=request.idempotency_key, occurred_at=AT, payload=payload)
    ack = client.post_terminal_events([event])
    assert ack.accepted == (request.idempotency_key,)
    assert client.post_terminal_events([event]).duplicates == (request.idempotency_key,)
    assert sandbox.state()["events_by_kind"]["objection"] == 1
    assert list(sandbox.objection_phones().values()) == [PHONE]

    later = client.fetch_report(client.open_resident_session(population.by_key("r03").card()))
    assert later.section("red_list").objections == (0,)


def test_a_phone_sealed_with_another_secret_or_key_is_rejected(client: PlatformClient) -> None:
    _, report = _session(client, "r03")
    request = objection_request(report, RecordRef("red_list", 0), WRONG, "")
    for sealed in (
        seal(b"not-the-terminal-secret", request.idempotency_key, PHONE),
        seal(SECRET, "another-key", PHONE),
    ):
        payload = msgspec.structs.replace(
            queued_objection(request, TERMINAL, SECRET, AT), phone_sealed=sealed
        )
        event = ObjectionEvent(
            idempotency_key=request.idempotency_key, occurred_at=AT, payload=payload
        )
        (rejected,) = client.post_terminal_events([event]).rejected
        assert rejected.code == "INVALID_EVENT"


def test_objections_are_refused_for_someone_elses_report_or_a_row_it_lacks(
    client: PlatformClient,
) -> None:
    token, _ = _session(client, "r01")
    _, others = _session(client, "r02")
    request = objection_request(others, RecordRef("admin_penalty", 0), WRONG, "")
    with pytest.raises(PlatformRejected) as foreign:
        client.file_objection(token, request)
    assert foreign.value.code == "REPORT_NOT_FOUND"
    own_token, own = _session(client, "r01")
    beyond = ObjectionRequest(own.report_no, "admin_penalty", 0, "wrong_information", "k-1")
    with pytest.raises(PlatformRejected) as missing:
        client.file_objection(own_token, beyond)
    assert missing.value.code == "INVALID_REQUEST"
    unknown = ObjectionRequest(own.report_no, "other", 0, "because", "k-2")
    with pytest.raises(PlatformRejected):
        client.file_objection(own_token, unknown)


# --- repair guidance: the rules of the design, stated independently of the sandbox ---------


def _three_months_later(day: dt.date) -> dt.date:
    month = day.month + 2
    year, month = day.year + month // 12, month % 12 + 1
    while True:
        try:
            return day.replace(year=year, month=month)
        except ValueError:
            day = day - dt.timedelta(days=1)


def _expected_penalty(row: tuple[str, ...]) -> tuple[str, dt.date | None]:
    number, category, content, decided = row[0], row[4], row[5], row[7]
    if "简罚" in number:
        return "not_repairable", None
    fines = [
        int(x) for x in content.replace("元", " ").replace("人民币", " ").split() if x.isdigit()
    ]
    serious = "没收" in category or max(fines, default=0) >= 10_000
    day = dt.date.fromisoformat(decided)
    since = years_later(day, 1) if serious else _three_months_later(day)
    return ("repairable" if since <= REFERENCE_DATE else "not_yet"), since


def test_repair_guidance_for_every_kind_of_record(client: PlatformClient) -> None:
    resident = population.richest_resident()
    token, report = _session(client, resident.key)
    seen: set[str] = set()
    for index, row in enumerate(resident.rows("admin_penalty")):
        guidance = client.repair_guidance(token, report.report_no, "admin_penalty", index)
        assert guidance.rule is not None
        status, since = _expected_penalty(row)
        assert (guidance.rule.status, guidance.rule.repairable_from) == (status, since), row
        if status != "not_repairable":
            assert "信用修复申请书" in guidance.rule.materials
            assert any("信用中国" in w for w in guidance.rule.where)
            assert any(row[8] in w for w in guidance.rule.where)  # the deciding authority
        seen.add(status)
    assert seen == {"repairable", "not_yet", "not_repairable"}

    court = 0
    for index, row in enumerate(resident.rows("black_list")):
        rule = client.repair_guidance(token, report.report_no, "black_list", index).rule
        assert rule is not None
        if row[0] == "失信被执行人":
            court += 1
            assert rule.status == "not_repairable" and "法院" in rule.reason
            assert rule.where == (f"执行法院：{row[2]}",)
    assert court > 0

    honours = client.repair_guidance(token, report.report_no, "honors", 0)
    assert honours.rule is None  # the platform sends none: the kiosk says 请咨询窗口
