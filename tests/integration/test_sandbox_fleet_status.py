"""The platform's fleet status: the latest heartbeat of each terminal, for operators only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import requests

from kiosk.contract import (
    DeviceHealth,
    FleetTerminal,
    HeartbeatEvent,
    UpdateState,
)
from sandbox.server import start_sandbox
from sandbox.store import PlatformStore
from tests import payloads

AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def beat(key: str, at: dt.datetime, version: str, printer_ok: bool = True) -> msgspec.Raw:
    heartbeat = msgspec.structs.replace(
        payloads.heartbeat(),
        version=version,
        health={"receipt_printer": DeviceHealth(printer_ok, "打印机", at)},
        update=UpdateState("committed", version),
        last_session_at=at,
    )
    event = HeartbeatEvent(idempotency_key=key, occurred_at=at, payload=heartbeat)
    return msgspec.Raw(msgspec.json.encode(event))


def test_the_latest_heartbeat_wins_whatever_order_it_arrives_in(tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    store = PlatformStore(600, journal)
    store.record_events("XT-1", [beat("b2", AT, "1.1.0", printer_ok=False)])
    store.record_events("XT-1", [beat("b1", AT - dt.timedelta(minutes=5), "1.0.0")])
    store.record_events("XT-2", [beat("c1", AT, "1.0.0")])
    store.close()

    # A platform restarted on its journal knows them again.
    restarted = PlatformStore(600, journal)
    fleet = restarted.fleet_terminals()
    restarted.close()
    assert [t.terminal_id for t in fleet.terminals] == ["XT-1", "XT-2"]
    assert fleet.terminals[0] == FleetTerminal(
        terminal_id="XT-1",
        last_seen_at=AT,
        version="1.1.0",
        update=UpdateState("committed", "1.1.0"),
        devices_ok=False,
        unhealthy=("receipt_printer",),
        outbox_depth=0,
        last_session_at=AT,
    )


def test_fleet_status_is_refused_without_an_operator_token_configured() -> None:
    with (
        start_sandbox({"XT-1": b"secret"}) as sandbox,
        requests.get(
            sandbox.url + "/api/v1/fleet/terminals",
            headers={"Authorization": "Bearer anything"},
            timeout=5,
        ) as response,
    ):
        assert response.status_code == 403
    with (
        start_sandbox({"XT-1": b"secret"}, operator_token="right") as sandbox,
        requests.get(
            sandbox.url + "/api/v1/fleet/terminals",
            headers={"Authorization": "Bearer wrong"},
            timeout=5,
        ) as response,
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "OPERATOR_TOKEN_INVALID"
