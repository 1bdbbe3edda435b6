"""The fault soak (``tests.fault_soak``): ``SOAK_SESSIONS`` sessions (200 here, 10,000 in
``make soak``), half with a random device or platform fault, then every check of the run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.demo import DemoEnvironment
from tests.fault_soak import (
    FaultSoak,
    files_holding,
    masked_log_file,
    personal_data,
    soak_seed,
    soak_sessions,
)
from tests.kiosk_harness import fast_demo

pytestmark = pytest.mark.e2e

RSS_GROWTH_LIMIT_KIB = 24 * 1024
"""What the run may grow after its first 100 sessions (allocator and cache noise)."""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoEnvironment]:
    with fast_demo(tmp_path, sandbox_journal=tmp_path / "sandbox-journal.jsonl") as environment:
        yield environment


def test_every_session_survives_random_faults(demo: DemoEnvironment) -> None:
    seed = soak_seed()
    with masked_log_file(demo.log_file):
        figures = FaultSoak(demo, seed).run(soak_sessions(200))
    print(figures.report())
    replay = f"[replay: SOAK_SEED={seed}]"
    assert demo.sandbox is not None
    demo.sandbox.stop()  # its log and journal are complete
    holding = files_holding(demo.root, personal_data(demo))
    assert not holding, f"personal data in {holding} {replay}"
    rss = figures.rss_kib
    growth = rss[max(rss)] - rss[min(rss)]
    assert growth < RSS_GROWTH_LIMIT_KIB, f"RSS grew {growth} KiB: {figures.report()} {replay}"
