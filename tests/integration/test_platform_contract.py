"""The contract between the real client and the sandbox, over loopback: every endpoint
round-trips through the same Structs, and every example the served document gives is valid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import msgspec
import pytest
import requests

from kiosk.contract import (
    ConsentEvent,
    DeviceFaultEvent,
    EventsAck,
    FleetTerminals,
    HeartbeatEvent,
    Notices,
    ObjectionEvent,
    PrintRecordEvent,
    PrintRecordRequest,
    PublicLists,
    QueryRecordEvent,
    StaffAlertEvent,
    TechnicianActionEvent,
    TerminalEvent,
    UpdateStep,
    UpdateStepEvent,
)
from kiosk.objections import RecordRef, objection_request, queued_objection
from kiosk.platform.client import PlatformClient
from kiosk.report_model import verify_url
from sandbox import population
from sandbox.public_content import lists_payload, notices_payload
from sandbox.server import Sandbox, start_sandbox
from tests import payloads
from tests.openapi_examples import examples, json_bodies

TERMINAL = "XT-CONTRACT-1"
SECRET = b"contract-test-secret"
OPERATOR_TOKEN = "contract-operator-token"
AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: SECRET}, operator_token=OPERATOR_TOKEN) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox.url, TERMINAL, SECRET, retries=0) as platform:
        yield platform


def test_every_endpoint_round_trips(sandbox: Sandbox, client: PlatformClient) -> None:
    resident = population.by_key("r03")
    report = client.fetch_report(client.open_resident_session(resident.card()))
    assert report == population.build_report(
        resident, report.report_no, report.verify_code, report.issued_at
    )

    reasons = client.objection_reasons()
    filed = objection_request(report, RecordRef("red_list", 0), reasons[2], "13800001234")
    token = client.open_resident_session(resident.card())
    accepted = client.file_objection(token, filed)
    assert client.file_objection(token, filed) == msgspec.structs.replace(
        accepted, status="duplicate"
    )
    guidance = client.repair_guidance(token, report.report_no, "red_list", 0)
    assert (guidance.report_no, guidance.section, guidance.row) == (report.report_no, "red_list", 0)

    record = PrintRecordRequest("a4", AT, 4, True)
    first = client.post_print_record(report.report_no, "contract-print", record)
    again = client.post_print_record(report.report_no, "contract-print", record)
    assert (first.status, again.status) == ("recorded", "duplicate")
    assert first.idempotency_key == "contract-print"

    events: list[TerminalEvent] = [
        QueryRecordEvent(
            idempotency_key="c-query",
            occurred_at=AT,
            payload=payloads.query_record(report.report_no),
        ),
        PrintRecordEvent(
            idempotency_key="c-print",
            occurred_at=AT,
            payload=payloads.print_record(report.report_no),
        ),
        DeviceFaultEvent(
            idempotency_key="c-fault", occurred_at=AT, payload=payloads.device_fault()
        ),
        TechnicianActionEvent(
            idempotency_key="c-action", occurred_at=AT, payload=payloads.technician_action()
        ),
        HeartbeatEvent(idempotency_key="c-beat", occurred_at=AT, payload=payloads.heartbeat()),
        UpdateStepEvent(
            idempotency_key="c-update",
            occurred_at=AT,
            payload=UpdateStep(step="rejected", version="1.0.1", at=AT, detail="bad signature"),
        ),
        ObjectionEvent(
            idempotency_key="c-objection",
            occurred_at=AT,
            payload=msgspec.structs.replace(
                queued_objection(
                    objection_request(report, RecordRef("red_list", 0), reasons[0], "13800001234"),
                    TERMINAL,
                    SECRET,
                    AT,
                ),
                phone_sealed=None,
            ),
        ),
        ConsentEvent(idempotency_key="c-consent", occurred_at=AT, payload=payloads.consent()),
        StaffAlertEvent(idempotency_key="c-staff", occurred_at=AT, payload=payloads.staff_alert()),
    ]
    ack = client.post_terminal_events(events)
    assert ack == EventsAck(tuple(e.idempotency_key for e in events), (), ())
    accepted = sandbox.accepted_keys(TERMINAL)
    assert {k: accepted[k] for k in ack.accepted} == {
        "c-query": "query_record",
        "c-print": "print_record",
        "c-fault": "device_fault",
        "c-action": "technician_action",
        "c-beat": "heartbeat",
        "c-update": "update_step",
        "c-objection": "objection",
        "c-consent": "consent",
        "c-staff": "staff_alert",
    }
    fleet_url = sandbox.url + "/api/v1/fleet/terminals"
    with requests.get(fleet_url, timeout=2) as refused:
        assert refused.status_code == 401
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    with requests.get(fleet_url, headers=operator, timeout=2) as response:
        fleet = msgspec.json.decode(response.content, type=FleetTerminals)
    [terminal] = fleet.terminals
    assert (terminal.terminal_id, terminal.last_seen_at) == (TERMINAL, AT)
    assert terminal.version == payloads.heartbeat().version

    notices, lists = client.public_notices(), client.public_lists()
    assert notices is not None and lists is not None
    assert notices.items == msgspec.convert(notices_payload(), Notices).notices
    assert lists.items == msgspec.convert(lists_payload(), PublicLists).entries

    with requests.get(verify_url(sandbox.url, report), timeout=2) as page:
        assert page.status_code == 200 and report.report_no in page.text
    assert client.ping()
    ping, reply = client.terminal_ping()
    assert ping.terminal_id == TERMINAL and reply.headers["Cache-Control"] == "no-store"
    assert abs((ping.server_time - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_every_json_body_in_the_document_has_an_example_that_decodes(sandbox: Sandbox) -> None:
    with requests.get(sandbox.url + "/api/v1/openapi.json", timeout=2) as response:
        document = response.json()
    found = examples(document)
    assert len(found) == len(json_bodies(document))
    # Every endpoint with a JSON request or reply, errors included.
    assert {where.split(" ")[1] for where, _, _ in found} == set(document["paths"]) - {
        "/api/v1/verify/{report_no}",
        "/api/v1/openapi.json",
    }
    for where, struct, example in found:
        try:
            msgspec.json.decode(msgspec.json.encode(example), type=struct)
        except msgspec.ValidationError as error:
            pytest.fail(f"{where}: example is not a valid {struct.__name__}: {error}")


def test_every_schema_component_refuses_unknown_fields(sandbox: Sandbox) -> None:
    with requests.get(sandbox.url + "/api/v1/openapi.json", timeout=2) as response:
        schemas = response.json()["components"]["schemas"]
    objects = {n: s for n, s in schemas.items() if s.get("type") == "object"}
    assert len(objects) > 20
    assert all(s["additionalProperties"] is False for s in objects.values())


def test_the_report_schema_fixes_every_section_and_its_columns(sandbox: Sandbox) -> None:
    with requests.get(sandbox.url + "/api/v1/openapi.json", timeout=2) as response:
        schemas = response.json()["components"]["schemas"]
    penalty = schemas["AdminPenalties"]["properties"]
    assert penalty["title"]["enum"] == ["行政处罚"]
    assert [c["enum"][0] for c in penalty["columns"]["prefixItems"]][:2] == [
        "行政处罚决定书文号",
        "违法行为类型",
    ]
    sections = schemas["CreditReport"]["properties"]["sections"]
    assert sections["minItems"] == sections["maxItems"] == 11
