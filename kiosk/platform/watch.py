"""Whether the credit platform can be reached, and the public content to show meanwhile.

A background thread probes the platform every ``probe_interval_s``; while it answers, the
thread also refreshes the cached notices and list publicity (conditional GETs with ETag).
Each change of reachability or content is published as a ``PlatformStatus``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.contract import ListEntry, Notice
from kiosk.platform.client import PlatformClient, PlatformError, parse_lists, parse_notices
from kiosk.supervision import LoopFault, SupervisedLoop, log_only, stale_limit
from offline_cache.content_cache import ContentCache

log = logging.getLogger(__name__)

NOTICES = "notices"
LISTS = "lists"


@dataclass(frozen=True)
class PlatformStatus:
    available: bool | None
    """None until the first probe has answered."""
    notices: tuple[Notice, ...] = ()
    lists: tuple[ListEntry, ...] = ()
    content_fetched_at: float | None = None
    """When the shown content was last confirmed by the platform (Unix time)."""


class PlatformWatch:
    def __init__(
        self,
        platform: PlatformClient,
        cache: ContentCache,
        on_change: Callable[[PlatformStatus], None],
        probe_interval_s: float = 15.0,
        content_refresh_s: float = 600.0,
        on_fault: LoopFault = log_only,
        request_s: float = 60.0,
    ) -> None:
        """``request_s``: the longest one platform request can take, for the loop's
        staleness limit."""
        self._platform = platform
        self._cache = cache
        self._on_change = on_change
        self._probe_interval_s = probe_interval_s
        self._content_refresh_s = content_refresh_s
        self._lock = threading.Lock()
        self._status = self._from_cache(None)
        self._refreshed_at = 0.0
        self._stopping = threading.Event()
        self._wake = threading.Event()
        # A round: the probe, maybe a content refresh (two more requests), then the wait.
        self.loop = SupervisedLoop(
            "platform-watch",
            self._run,
            self._stopping,
            on_fault,
            stale_after_s=stale_limit(probe_interval_s + 3 * request_s),
        )

    @property
    def status(self) -> PlatformStatus:
        with self._lock:
            return self._status

    def is_available(self) -> bool:
        """False only once the platform is known to be away (an unknown state is tried)."""
        return self.status.available is not False

    def start(self) -> None:
        self._publish(self.status)
        self.loop.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.loop.join(timeout)

    def report_unavailable(self) -> None:
        """A platform call just failed as unreachable: say so now, and probe again soon."""
        self._set(available=False)
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.loop.tick()
            available = self._platform.ping()
            self._set(available=available)  # first: a failing content cache must not hide it
            if available and time.monotonic() - self._refreshed_at >= self._content_refresh_s:
                self._refresh_content()
            self._wake.wait(self._probe_interval_s)
            self._wake.clear()

    def _refresh_content(self) -> None:
        try:
            for name, fetch in (
                (NOTICES, self._platform.public_notices),
                (LISTS, self._platform.public_lists),
            ):
                cached = self._cache.load(name)
                content = fetch(cached.etag if cached else None)
                if content is None:
                    self._cache.confirm(name)
                else:
                    self._cache.store(name, content.body, content.etag)
        except PlatformError as error:
            log.info("public content not refreshed (%s)", error.code)
            return
        self._refreshed_at = time.monotonic()
        with self._lock:
            self._status = self._from_cache(self._status.available)
        self._publish(self.status)

    def _from_cache(self, available: bool | None) -> PlatformStatus:
        notices, lists = self._cache.load(NOTICES), self._cache.load(LISTS)
        try:
            return PlatformStatus(
                available=available,
                notices=parse_notices(notices.body) if notices else (),
                lists=parse_lists(lists.body) if lists else (),
                content_fetched_at=min(
                    (c.fetched_at for c in (notices, lists) if c is not None), default=None
                ),
            )
        except PlatformError:
            log.warning("cached public content is unreadable; showing none")
            return PlatformStatus(available=available)

    def _set(self, available: bool) -> None:
        with self._lock:
            if self._status.available is available:
                return
            previous = self._status.available
            self._status = PlatformStatus(
                available,
                self._status.notices,
                self._status.lists,
                self._status.content_fetched_at,
            )
        if previous is not None or not available:
            log.warning("platform %s", "reachable again" if available else "unreachable")
        self._publish(self.status)

    def _publish(self, status: PlatformStatus) -> None:
        try:
            self._on_change(status)
        except Exception:
            log.exception("platform status listener failed")
