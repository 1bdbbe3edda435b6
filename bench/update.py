"""The terminal's side of an update, against two real releases built from this checkout
(N and N+1, the same locked dependencies) served over loopback HTTP: a full first install,
an update check with nothing new, and a code-only update (bytes received and seconds, the
virtualenv build included)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fleet.build import build_bundle
from fleet.cli import DEFAULT_WHEEL_CACHE
from kiosk.updater.updater import Poll
from offline_cache.outbox import Outbox
from tests.tuf_repository import make_repository, serve_directory
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

ROOT = Path(__file__).resolve().parents[1]


def _timed_poll(terminal: SimulatedTerminal) -> tuple[float, int]:
    settings = terminal.settings()
    assert settings.updater is not None
    outbox = Outbox(terminal.state_dir / "outbox.sqlite3")
    try:
        poll = Poll(settings, settings.updater, outbox)
        started = time.perf_counter()
        assert poll.run() == 0
        return time.perf_counter() - started, poll.bytes_received
    finally:
        outbox.close()


def run(emit: Callable[..., None]) -> None:
    cache = Path(os.environ.get("TAIHAOBAN_WHEEL_CACHE") or DEFAULT_WHEEL_CACHE)
    with tempfile.TemporaryDirectory(prefix="bench-update-") as scratch:
        folder = Path(scratch)
        first = build_bundle(ROOT, "1.0.0", folder / "1.0.0", cache).out_dir
        second = build_bundle(ROOT, "1.0.1", folder / "1.0.1", cache).out_dir
        repository, _ = make_repository(folder / "fleet")
        repository.publish(first, 100)
        with serve_directory(repository.path) as url:
            terminal = simulated_terminal(
                folder / "terminal", url, repository.path / "metadata" / "1.root.json"
            )
            full_s, full_bytes = _timed_poll(terminal)
            check_s, check_bytes = _timed_poll(terminal)
            repository.publish(second, 100)
            code_s, code_bytes = _timed_poll(terminal)
        emit(
            "update_check_nothing_new",
            seconds=round(check_s, 3),
            bytes=check_bytes,
            note="timestamp.json only when nothing changed",
        )
        emit(
            "update_full_first_install",
            seconds=round(full_s, 1),
            bytes=full_bytes,
            note="metadata, every wheel, the virtualenv built offline",
        )
        emit(
            "update_code_only",
            seconds=round(code_s, 1),
            bytes=code_bytes,
            share_of_full_pct=round(100 * code_bytes / full_bytes, 2),
            note="metadata, our wheel, the virtualenv built offline",
        )
