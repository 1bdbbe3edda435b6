"""Every decoder of the contract, fuzzed: whatever the platform (or an old outbox) sends,
the result is a valid Struct or the one error the caller handles, never another exception."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.contract import (
    EVENT_KINDS,
    CreditReport,
    Error,
    EventsAck,
    Notices,
    ObjectionAccepted,
    ObjectionReasons,
    PrintRecordReceipt,
    PublicLists,
    QueryRecord,
    RepairGuidance,
    ResidentSession,
)
from kiosk.platform.client import MalformedReply, decode
from kiosk.platform.outbox_items import InvalidOutboxItem, enqueue, event_of
from offline_cache.outbox import Outbox, OutboxItem
from sandbox.api_document import openapi_document
from tests import payloads
from tests.openapi_examples import examples

REPLIES = (
    ResidentSession,
    CreditReport,
    PrintRecordReceipt,
    EventsAck,
    Notices,
    PublicLists,
    Error,
    ObjectionReasons,
    ObjectionAccepted,
    RepairGuidance,
)
DECODERS = {t: msgspec.json.Decoder(t) for t in REPLIES}
SEEDS = [(t, json.loads(msgspec.json.encode(e))) for _, t, e in examples(openapi_document(""))]
REPLY_SEEDS = [(t, e) for t, e in SEEDS if t in DECODERS]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def decoded_or_malformed(reply_type: type[msgspec.Struct], body: bytes) -> None:
    with contextlib.suppress(MalformedReply):
        assert isinstance(decode(DECODERS[reply_type], body, "fuzz"), reply_type)


def test_every_reply_type_has_a_seed() -> None:
    assert {t for t, _ in REPLY_SEEDS} == set(REPLIES)


@pytest.mark.parametrize("reply_type", REPLIES, ids=lambda t: t.__name__)
@given(body=st.binary(max_size=300))
def test_random_bytes(reply_type: type[msgspec.Struct], body: bytes) -> None:
    decoded_or_malformed(reply_type, body)


@pytest.mark.parametrize("reply_type", REPLIES, ids=lambda t: t.__name__)
@given(value=json_values)
def test_random_json(reply_type: type[msgspec.Struct], value: Any) -> None:
    decoded_or_malformed(reply_type, json.dumps(value).encode())


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a payload a value can be replaced (lists are sampled, not all taken)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node[:2]):
            found += _paths(child, (*path, index))
    return found


MUTABLE = [(t, e, p) for t, e in SEEDS for p in _paths(e)]


def _mutated(example: Any, path: tuple[Any, ...], value: Any) -> Any:
    payload = copy.deepcopy(example)
    node = payload
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return payload


@settings(max_examples=400)
@given(st.sampled_from([m for m in MUTABLE if m[0] in DECODERS]), json_values)
def test_mutated_valid_replies(
    seed: tuple[type[msgspec.Struct], Any, tuple[Any, ...]], value: Any
) -> None:
    reply_type, example, path = seed
    decoded_or_malformed(reply_type, json.dumps(_mutated(example, path, value)).encode())


@given(st.sampled_from(EVENT_KINDS) | st.text(max_size=12), json_values)
def test_stored_outbox_items_decode_or_are_invalid(kind: str, payload: Any) -> None:
    item = OutboxItem("k", kind, payload, 1_764_000_000.0, 0)
    with contextlib.suppress(InvalidOutboxItem):
        assert kind == event_of(item).payload.KIND


def test_a_payload_that_does_not_match_its_struct_is_refused_at_enqueue(outbox: Outbox) -> None:
    bad = msgspec.structs.replace(payloads.query_record(), report_no="xt-lower-case")
    with pytest.raises(InvalidOutboxItem, match=r"query_record: .*\$\.report_no"):
        enqueue(outbox, bad)
    naive = msgspec.structs.replace(payloads.device_fault(), at=dt.datetime(2026, 11, 24))
    with pytest.raises(InvalidOutboxItem, match="device_fault"):
        enqueue(outbox, naive)
    assert outbox.depth() == 0


def test_what_enqueue_stores_is_what_the_drain_reads_back(outbox: Outbox) -> None:
    record = payloads.query_record()  # no report number: omitted, not null
    key = enqueue(outbox, record)
    (item,) = outbox.peek(1)
    assert item.kind == "query_record" and "report_no" not in item.payload
    event = event_of(item)
    assert event.idempotency_key == key and event.payload == record
    assert isinstance(event.payload, QueryRecord)
