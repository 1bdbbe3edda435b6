"""A started core (no Qt) for integration tests: every published view and platform status,
in order, with waits that say what they saw when they time out."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from devices.idcard.simulated import SimulatedReader
from kiosk.config import SessionSettings, Settings
from kiosk.demo import DemoCard, DemoEnvironment
from kiosk.platform.watch import PlatformStatus
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import SessionView, State

FAST = SessionSettings(
    reading_timeout_s=5,
    authenticating_timeout_s=5,
    fetching_timeout_s=2,
    showing_idle_timeout_s=30,
    printing_timeout_s=10,
    done_timeout_s=30,
    failed_timeout_s=30,
)
"""Short session timeouts for the core's integration tests."""


def fast_demo(root: Path, sandbox_journal: Path | None = None) -> DemoEnvironment:
    """The demo environment in ``root`` with a reader and printers that answer at once."""
    return DemoEnvironment(
        root=root,
        reader_options={"read_delay_s": 0.0},
        printer_options={"job_delay_s": 0.0},
        sandbox_journal=sandbox_journal,
    )


def consent_when_asked(view: SessionView, agree: Callable[[], None]) -> None:
    """The resident agrees (``agree``: the terminal's ``give_consent`` or the 同意 button)
    whenever the 查询授权 screen comes up: how tests of later steps get past it."""
    if view.state is State.CONSENT and not view.card_away and not view.asking:
        agree()


class RunningKiosk:
    consents = True
    """Agree on the 查询授权 screen at once (False: the test answers it itself)."""

    def __init__(self, settings: Settings, demo_cards: Iterable[DemoCard] = ()) -> None:
        self.views: queue.Queue[SessionView] = queue.Queue()
        self.statuses: queue.Queue[PlatformStatus] = queue.Queue()
        self.runtime: Runtime = build_runtime(settings, self._changed, self.statuses.put)
        reader = self.runtime.terminal.devices.reader
        if isinstance(reader, SimulatedReader):
            reader.cards.update({c.key: c.card for c in demo_cards})
        self.runtime.start()
        # the first health checks record their faults before a test looks at the outbox
        self.runtime.terminal.wait_for_health_checks(timeout=5.0)

    def _changed(self, view: SessionView) -> None:
        """On the terminal's coordinator: record the view, perhaps answer it."""
        self.views.put(view)
        if self.consents:
            consent_when_asked(view, self.runtime.terminal.give_consent)

    @property
    def reader(self) -> SimulatedReader:
        reader = self.runtime.terminal.devices.reader
        assert isinstance(reader, SimulatedReader)
        return reader

    def wait_for(self, state: State, timeout: float = 10.0) -> SessionView:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                view = self.views.get(timeout=0.05)
            except queue.Empty:
                continue
            seen.append(view.state.value)
            if view.state is state:
                return view
        raise AssertionError(f"never reached {state.value} in {timeout} s; saw {seen}")

    def views_until(
        self, done: Callable[[SessionView], bool], timeout: float = 30
    ) -> list[SessionView]:
        """Every view published until one satisfies ``done`` (that one last)."""
        deadline = time.monotonic() + timeout
        seen: list[SessionView] = []
        while time.monotonic() < deadline:
            try:
                seen.append(self.views.get(timeout=0.05))
            except queue.Empty:
                continue
            if done(seen[-1]):
                return seen
        raise AssertionError(f"no such view in {timeout} s; saw {seen}")

    def wait_for_platform(self, available: bool, timeout: float = 10.0) -> PlatformStatus:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = self.statuses.get(timeout=0.05)
            except queue.Empty:
                continue
            if status.available is available:
                return status
        raise AssertionError(f"platform never became {'available' if available else 'away'}")

    def wait_until_drained(self, timeout: float = 10.0) -> None:
        self.runtime.drainer.nudge()
        deadline = time.monotonic() + timeout
        while self.runtime.outbox.depth() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.runtime.outbox.depth() == 0

    def events(self, kind: str) -> list[dict[str, Any]]:
        """Payloads of the queued outbox items of one kind."""
        return [i.payload for i in self.runtime.outbox.peek(100) if i.kind == kind]
