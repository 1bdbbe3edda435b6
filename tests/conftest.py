"""Shared test settings: offscreen Qt, and missing services fail under CI instead of skipping."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox
from tests.clock import FakeClock

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def require_tool(*names: str) -> None:
    """Skip locally when a system tool is missing; under CI=true that is an error."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    why = f"missing system tools: {', '.join(missing)} (make test installs them)"
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[Outbox]:
    """An outbox in a fresh file whose time is ``clock``."""
    box = Outbox(tmp_path / "outbox.sqlite3", clock=clock)
    yield box
    box.close()


@pytest.fixture(scope="session")
def wheel_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One set of dependency wheels per test session for the release-bundle builds
    (``TAIHAOBAN_WHEEL_CACHE`` keeps it across sessions)."""
    kept = os.environ.get("TAIHAOBAN_WHEEL_CACHE")
    return Path(kept) if kept else tmp_path_factory.mktemp("wheel-cache")
