"""Fixtures of the window tests: a demo environment (the sandbox platform) per module; for
technician mode, a window over a started core in a fresh state directory per test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Settings, TechnicianSettings
from kiosk.demo import DemoEnvironment
from kiosk.technician import hash_pin
from tests.clock import FakeClock
from tests.kiosk_harness import fast_demo
from tests.ui.technician_harness import IDLE_S, PIN, Kiosk, start_kiosk


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoEnvironment]:
    with fast_demo(tmp_path_factory.mktemp("demo")) as environment:
        yield environment


@pytest.fixture
def settings(demo: DemoEnvironment, tmp_path: Path) -> Settings:
    assert demo.settings is not None
    pin_hash = hash_pin(PIN, n=2**4, r=1, p=1)  # cheap parameters: stored with the hash
    return replace(
        demo.settings,
        terminal=replace(demo.settings.terminal, state_dir=tmp_path / "state"),
        technician=TechnicianSettings(pin_hash=pin_hash, idle_timeout_s=IDLE_S),
    )


@pytest.fixture
def wall() -> FakeClock:
    return FakeClock(start=1_900_000_000.0)


@pytest.fixture
def kiosk(qtbot: QtBot, settings: Settings, wall: FakeClock) -> Iterator[Kiosk]:
    k = start_kiosk(qtbot, settings, wall)
    yield k
    k.stop()
