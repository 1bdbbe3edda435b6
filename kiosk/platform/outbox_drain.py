"""Sends the outbox to the platform in the background, backing off while it is away.

One thread. Each round reads what is due in batches of ``batch`` items, each decoded into
its contract Struct (``kiosk.platform.outbox_items``), and sends them (print records one
request each, everything else in one ``terminal-events`` request) until the outbox has no
full batch left, then waits ``interval_s``. What becomes of an item:

- accepted or a duplicate: acknowledged (removed);
- refused as invalid (4xx other than terminal auth and throttling): a dead letter, with
  the platform's code and message, for a technician. A whole batch refused is split in
  halves until the item that spoils it is alone, so one bad item never holds the rest;
  an event too large to send (``MAX_EVENT_BYTES``), or one stored by an older version that
  no longer matches its kind's Struct (``INVALID_PAYLOAD``), is a dead letter unsent;
- not answered for, or failing here in a way that is the item's own: deferred with its
  own back-off, and a dead letter after ``MAX_ITEM_FAILURES`` such failures;
- the platform away (connection, timeout, 5xx, 429, malformed reply) or the terminal
  refused (clock skew, unknown terminal): nothing is the items' fault, all are kept, and
  the whole drain backs off exponentially with jitter; a ``Retry-After`` is honoured even
  by ``nudge()``.

Optionally it also queues a heartbeat every ``Heartbeat.interval_s`` (kind ``heartbeat``:
version, outbox health, drain state, device health), whether or not the platform is there.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import msgspec

from kiosk.contract import (
    DeviceHealth,
    DrainState,
    OutboxState,
    PrintRecord,
    PrintRecordEvent,
    TerminalEvent,
    TerminalHeartbeat,
    UpdateState,
)
from kiosk.platform.client import (
    MalformedReply,
    PlatformClient,
    PlatformError,
    PlatformRejected,
    PlatformUnavailable,
    TerminalAuthFailed,
)
from kiosk.platform.outbox_items import InvalidOutboxItem, enqueue, event_of
from kiosk.supervision import LoopFault, SupervisedLoop, log_only, stale_limit
from offline_cache.outbox import Outbox, OutboxError, OutboxItem

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_S = 300.0
MAX_RETRY_AFTER_S = 3600.0
"""A longer Retry-After is taken as this (a broken header must not silence a terminal)."""
MAX_ITEM_FAILURES = 5
MAX_EVENT_BYTES = 256 * 1024
"""A bigger event is never sent (a dead letter at once): a platform or proxy may answer an
oversized body by dropping the connection, which would look like an outage for ever."""
MAX_REQUEST_BYTES = 768 * 1024
"""Events are packed into requests of at most this much JSON (the platform takes 1 MiB)."""
_ROUTE_CODES = frozenset({"NOT_FOUND", "METHOD_NOT_ALLOWED", "FORBIDDEN"})


def _about_the_endpoint(error: PlatformRejected) -> bool:
    """A refusal no item can cause: the path or method is wrong (a misconfigured base URL),
    or something other than the platform answered (no error code of the contract)."""
    return error.code in _ROUTE_CODES or error.code.startswith("HTTP_")


@dataclass(frozen=True)
class DrainStatus:
    """The drain as diagnostics and the heartbeat see it."""

    backlog: int
    last_success_at: float | None
    """Wall-clock time the platform last took a batch; None: not since start."""
    consecutive_failures: int
    last_error: str | None
    """The code of the last failure, while failures last."""

    def as_state(self) -> DrainState:
        return DrainState(
            backlog=self.backlog,
            last_success_at=None
            if self.last_success_at is None
            else dt.datetime.fromtimestamp(self.last_success_at, dt.UTC),
            consecutive_failures=self.consecutive_failures,
            last_error=self.last_error,
        )


@dataclass(frozen=True)
class Heartbeat:
    """What the drainer puts in each heartbeat.

    ``devices`` returns each device's coarse state (no personal data), e.g.
    ``{"card_reader": "IDLE", "receipt_printer": "ERROR"}``; it is called on the drain
    thread and an exception in it is reported in the heartbeat. ``health`` returns each
    device's last INTERNAL health check (a failing one: none in the heartbeat, logged).
    """

    version: str
    devices: Callable[[], Mapping[str, str]] | None = None
    interval_s: float = 60.0
    health: Callable[[], Mapping[str, DeviceHealth]] | None = None
    update: Callable[[], UpdateState | None] | None = None
    """Where the updater stands (None: this terminal does not update)."""
    last_session_at: Callable[[], dt.datetime | None] | None = None
    """When the last resident's session began."""


class OutboxDrainer:
    """Arguments: the outbox; the platform client; ``interval_s`` between rounds when all
    is well (and the first step of the back-off); ``batch`` items per request;
    ``heartbeat`` to queue heartbeats (None: none); ``request_s``: the longest one platform
    request can take (the client's timeouts and retries), for the loop's staleness limit."""

    def __init__(
        self,
        outbox: Outbox,
        platform: PlatformClient,
        interval_s: float = 5.0,
        *,
        batch: int = BATCH,
        max_backoff_s: float = MAX_BACKOFF_S,
        heartbeat: Heartbeat | None = None,
        on_fault: LoopFault = log_only,
        request_s: float = 60.0,
    ) -> None:
        self._outbox = outbox
        self._platform = platform
        self._interval_s = interval_s
        self._batch = batch
        self._max_backoff_s = max_backoff_s
        self._heartbeat = heartbeat
        self._stopping = threading.Event()
        self._wake = threading.Event()
        # The loop sleeps at most until the next heartbeat (without heartbeats: the longest
        # back-off or Retry-After), and ticks between the requests of a round.
        longest_wait_s = (
            heartbeat.interval_s if heartbeat else max(max_backoff_s, MAX_RETRY_AFTER_S)
        )
        self.loop = SupervisedLoop(
            "outbox-drain",
            self._run,
            self._stopping,
            on_fault,
            stale_after_s=stale_limit(longest_wait_s + request_s),
        )
        self._failures = 0
        self._last_error: str | None = None
        self._not_before = 0.0  # monotonic: a Retry-After holds every attempt until then
        self.last_success: float | None = None
        """Wall-clock time the platform last took a batch."""

    def start(self) -> None:
        self.loop.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.loop.join(timeout)

    def nudge(self) -> None:
        """Something was queued or the platform is back: try now rather than after the
        interval or back-off (but never before a Retry-After has passed)."""
        self._wake.set()

    def backlog(self) -> int:
        return self._outbox.depth()

    def status(self) -> DrainStatus:
        return DrainStatus(
            self._outbox.depth(), self.last_success, self._failures, self._last_error
        )

    # --- the loop ---
    def _run(self) -> None:
        next_drain = time.monotonic()
        next_heartbeat = time.monotonic()
        while not self._stopping.is_set():
            self.loop.tick()
            now = time.monotonic()
            if self._heartbeat is not None and now >= next_heartbeat:
                self.queue_heartbeat()
                next_heartbeat = now + self._heartbeat.interval_s
            if self._wake.is_set():
                self._wake.clear()
                next_drain = min(next_drain, now)
            if now >= max(next_drain, self._not_before):
                next_drain = time.monotonic() + self._round()
            wake_at = max(next_drain, self._not_before)
            if self._heartbeat is not None:
                wake_at = min(wake_at, next_heartbeat)
            self._wake.wait(max(0.0, wake_at - time.monotonic()))

    def _round(self) -> float:
        """Drain until less than a batch is left; returns the delay until the next round."""
        try:
            while self.drain_once() >= self._batch and not self._stopping.is_set():
                self.loop.tick()
        except (PlatformUnavailable, PlatformRejected, MalformedReply) as error:
            # A refused terminal (clock skew, wrong secret) or a refused endpoint is not the
            # items' fault: keep them and back off, exactly as for an outage.
            retry_after = error.retry_after if isinstance(error, PlatformUnavailable) else None
            return self._back_off(error.code, retry_after)
        except OutboxError as error:
            log.error("outbox drain: the outbox failed (%s)", error)
            return self._back_off(type(error).__name__, None)
        except Exception:
            log.exception("outbox drain failed")
            return self._back_off("LOCAL_ERROR", None)
        if self._failures:
            log.info("outbox: platform reachable again after %d failures", self._failures)
        self._failures = 0
        self._last_error = None
        return self._interval_s

    def _back_off(self, code: str, retry_after: float | None) -> float:
        self._failures += 1
        self._last_error = code
        ceiling = min(self._max_backoff_s, self._interval_s * 2 ** min(self._failures, 30))
        delay = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = min(retry_after, MAX_RETRY_AFTER_S)
            self._not_before = time.monotonic() + wait
            delay = max(delay, wait)
        log.info("outbox: platform refused or away (%s), next try in %.1f s", code, delay)
        return delay

    # --- one batch ---
    def drain_once(self) -> int:
        """Send one batch of due items; returns how many items it handled.

        Raises PlatformUnavailable, TerminalAuthFailed, MalformedReply, and PlatformRejected
        for a refused endpoint (keep everything and back off), and OutboxError.
        """
        items = self._outbox.peek(self._batch)
        if not items:
            return 0
        self._outbox.record_attempt([i.idempotency_key for i in items])
        events: list[tuple[OutboxItem, TerminalEvent]] = []
        for item in items:
            try:
                event = event_of(item)
            except InvalidOutboxItem as error:
                self._dead_letter(item, f"INVALID_PAYLOAD: {error}")
                continue
            if isinstance(event, PrintRecordEvent):
                self._send_print_record(item, event.payload)
            else:
                events.append((item, event))
        chunk: list[tuple[OutboxItem, TerminalEvent]] = []
        size = 0
        for item, event in events:
            item_size = len(msgspec.json.encode(event))
            if item_size > MAX_EVENT_BYTES:
                self._dead_letter(item, f"PAYLOAD_TOO_LARGE: {item_size} bytes, not sent")
                continue
            if chunk and size + item_size > MAX_REQUEST_BYTES:
                self._send_events(chunk)
                chunk, size = [], 0
            chunk.append((item, event))
            size += item_size + 1
        if chunk:
            self._send_events(chunk)
        self.last_success = time.time()
        return len(items)

    def _send_print_record(self, item: OutboxItem, record: PrintRecord) -> None:
        try:
            self.loop.tick()  # a batch of print records is one request each
            self._platform.post_print_record(
                record.report_no, item.idempotency_key, record.request()
            )
        except TerminalAuthFailed:
            raise
        except PlatformRejected as error:
            if _about_the_endpoint(error):
                # A malformed report number can also be "not found": the item's own failure
                # until it has failed too often, so a bad one cannot hold the rest.
                self._item_failed(item, error.code)
            else:
                self._dead_letter(item, f"{error.code}: {error.message}")
            return
        except PlatformError:
            raise
        except Exception as error:
            self._item_failed(item, type(error).__name__)
            return
        self._outbox.acknowledge([item.idempotency_key])

    def _send_events(self, batch: list[tuple[OutboxItem, TerminalEvent]]) -> None:
        try:
            ack = self._platform.post_terminal_events([event for _, event in batch])
        except TerminalAuthFailed:
            raise
        except PlatformRejected as error:
            if _about_the_endpoint(error):
                raise
            # The platform refused the batch as a whole (e.g. too large, one item it cannot
            # parse): split until the item that spoils it is alone.
            if len(batch) == 1:
                self._dead_letter(batch[0][0], f"{error.code}: {error.message}")
                return
            half = len(batch) // 2
            self._send_events(batch[:half])
            self._send_events(batch[half:])
            return
        sent = {item.idempotency_key: item for item, _ in batch}
        done = [k for k in (*ack.accepted, *ack.duplicates) if k in sent]
        self._outbox.acknowledge(done)
        answered = set(done)
        for refusal in ack.rejected:
            item = sent.get(refusal.idempotency_key)
            if item is not None and item.idempotency_key not in answered:
                self._dead_letter(item, f"{refusal.code}: {refusal.message}")
                answered.add(item.idempotency_key)
        for key, item in sent.items():
            if key not in answered:
                self._item_failed(item, "NOT_ACKNOWLEDGED")

    def _dead_letter(self, item: OutboxItem, reason: str) -> None:
        log.warning(
            "outbox: %s %s refused, kept as a dead letter (%s)",
            item.kind,
            item.idempotency_key,
            reason,
        )
        self._outbox.move_to_dead_letter(item.idempotency_key, reason)

    def _item_failed(self, item: OutboxItem, reason: str) -> None:
        """This item's own failure: hold it back (its own back-off), then give up on it."""
        failures = item.failures + 1
        if failures >= MAX_ITEM_FAILURES:
            self._dead_letter(item, f"{reason} ({failures} times)")
            return
        ceiling = min(self._max_backoff_s, self._interval_s * 2**failures)
        self._outbox.defer(item.idempotency_key, reason, random.uniform(ceiling / 2, ceiling))

    # --- heartbeat ---
    def queue_heartbeat(self) -> str | None:
        """Queue one heartbeat now; returns its key (None if it could not be queued)."""
        if self._heartbeat is None:
            return None
        devices: dict[str, str] = {}
        if self._heartbeat.devices is not None:
            try:
                devices = dict(self._heartbeat.devices())
            except Exception as error:
                log.exception("heartbeat: device health failed")
                devices = {"error": type(error).__name__}
        health: dict[str, DeviceHealth] = {}
        if self._heartbeat.health is not None:
            try:
                health = dict(self._heartbeat.health())
            except Exception:
                log.exception("heartbeat: device health checks unreadable")
        update: UpdateState | None = None
        if self._heartbeat.update is not None:
            try:
                update = self._heartbeat.update()
            except Exception:
                log.exception("heartbeat: the updater's state unreadable")
        last_session = self._heartbeat.last_session_at
        try:
            heartbeat = TerminalHeartbeat(
                version=self._heartbeat.version,
                outbox=msgspec.convert(self._outbox.health().as_payload(), OutboxState),
                drain=self.status().as_state(),
                devices=devices,
                health=health,
                update=update,
                last_session_at=last_session() if last_session is not None else None,
            )
            return enqueue(self._outbox, heartbeat, f"heartbeat-{uuid.uuid4().hex}")
        except Exception:
            log.exception("heartbeat could not be queued")
            return None
