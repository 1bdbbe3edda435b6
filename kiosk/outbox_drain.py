"""Sends the outbox to the platform in the background, backing off while it is away."""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading

from kiosk.platform import (
    PlatformClient,
    PlatformError,
    PlatformRejected,
    PlatformUnavailable,
    TerminalAuthFailed,
)
from offline_cache.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

BATCH = 50
MAX_BACKOFF_S = 300.0


class OutboxDrainer:
    def __init__(self, outbox: Outbox, platform: PlatformClient, interval_s: float = 5.0) -> None:
        self._outbox = outbox
        self._platform = platform
        self._interval_s = interval_s
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-drain", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout)

    def nudge(self) -> None:
        """Something was queued: try now rather than at the next interval."""
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            delay = self._interval_s
            try:
                while self.drain_once() == BATCH and not self._stopping.is_set():
                    pass
                failures = 0
            except (PlatformUnavailable, TerminalAuthFailed) as error:
                # A refused terminal (clock skew, wrong secret) is not the items' fault:
                # keep them and back off, exactly as for an outage.
                failures += 1
                backoff = min(MAX_BACKOFF_S, self._interval_s * 2**failures)
                retry_after = error.retry_after if isinstance(error, PlatformUnavailable) else None
                delay = max(retry_after or 0.0, random.uniform(backoff / 2, backoff))
                log.info(
                    "outbox: platform refused or away (%s), next try in %.0f s", error.code, delay
                )
            except Exception:
                log.exception("outbox drain failed")
            self._wake.wait(delay)
            self._wake.clear()

    def drain_once(self) -> int:
        """Send one batch; returns how many items it handled."""
        items = self._outbox.peek(BATCH)
        if not items:
            return 0
        self._outbox.record_attempt([i.idempotency_key for i in items])
        prints = [i for i in items if i.kind == "print_record"]
        events = [i for i in items if i.kind != "print_record"]
        for item in prints:
            self._send_print_record(item)
        if events:
            ack = self._platform.post_terminal_events(
                [
                    {
                        "idempotency_key": i.idempotency_key,
                        "kind": i.kind,
                        "occurred_at": dt.datetime.fromtimestamp(i.created_at, dt.UTC).isoformat(),
                        "payload": i.payload,
                    }
                    for i in events
                ]
            )
            self._outbox.acknowledge(list(ack.accepted) + list(ack.duplicates))
            for rejected in ack.rejected:
                self._outbox.move_to_dead_letter(rejected.idempotency_key, rejected.code)
        return len(items)

    def _send_print_record(self, item: OutboxItem) -> None:
        p = item.payload
        try:
            self._platform.post_print_record(
                report_no=p["report_no"],
                idempotency_key=item.idempotency_key,
                kind=p["kind"],
                printed_at=p["printed_at"],
                pages=p["pages"],
                confirmed=p["confirmed"],
            )
        except (PlatformUnavailable, TerminalAuthFailed):
            raise
        except PlatformRejected as error:
            self._outbox.move_to_dead_letter(item.idempotency_key, error.code)
            return
        except (PlatformError, KeyError) as error:
            self._outbox.move_to_dead_letter(item.idempotency_key, type(error).__name__)
            return
        self._outbox.acknowledge([item.idempotency_key])
