"""Outbox items as the contract types them: one payload Struct per kind (``kiosk.contract``).

``enqueue`` is the only way the kiosk queues an item: the payload is checked against its
Struct before it is stored, so a malformed item is refused to the caller instead of being
found by the drain. The drain reads items back with ``event_of``; only an item stored by an
older version can still fail there.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from kiosk.contract import Payload, TerminalEvent, terminal_event, validated
from offline_cache.outbox import Outbox, OutboxItem


class InvalidOutboxItem(ValueError):
    """A payload that does not match its kind's Struct (a bug in the caller)."""


def enqueue(outbox: Outbox, payload: Payload, idempotency_key: str = "") -> str:
    """Validate ``payload`` and store it durably; returns its idempotency key.

    Raises InvalidOutboxItem, and what ``Outbox.enqueue`` raises (PersonalDataRefused,
    OutboxFull).
    """
    try:
        validated(payload)
    except msgspec.ValidationError as error:
        raise InvalidOutboxItem(f"{payload.KIND}: {error}") from None
    return outbox.enqueue(payload.KIND, msgspec.to_builtins(payload), idempotency_key)


def event_of(item: OutboxItem) -> TerminalEvent:
    """The platform event for a stored item; raises InvalidOutboxItem when the stored
    payload no longer matches its kind (written by an older version)."""
    occurred_at = dt.datetime.fromtimestamp(item.created_at, dt.UTC)
    try:
        return terminal_event(item.kind, item.idempotency_key, occurred_at, item.payload)
    except msgspec.ValidationError as error:
        raise InvalidOutboxItem(f"{item.kind}: {error}") from None
