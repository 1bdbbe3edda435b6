"""A staged rollout across simulated terminals: only the cohort the channel names installs
the new release, and a cohort member's rollback (as its heartbeat reports it) stops
``promote``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fleet.repository import PromotionRefused
from kiosk.contract import FleetTerminal, FleetTerminals, rollout_bucket
from kiosk.updater.pending import count_start, heartbeat_state
from tests.tuf_repository import make_repository, serve_directory
from tests.updater.releases import release_imports_kiosk, small_bundle
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

TERMINALS = [f"XT-{n:04d}" for n in range(1, 25)]
ROLLOUT_PERCENT = 10


def running_stand_in(terminal: SimulatedTerminal, version: str) -> None:
    """``version`` installed and committed without building it: the terminals outside the
    cohort never get further than reading the channel."""
    bin_dir = terminal.tree.release_dir(version) / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").touch()
    terminal.tree.switch(version)


def fleet_status(terminals: list[SimulatedTerminal]) -> FleetTerminals:
    """What the platform would list from these terminals' heartbeats."""
    now = dt.datetime.now(dt.UTC)
    return FleetTerminals(
        terminals=tuple(
            FleetTerminal(
                terminal_id=t.terminal_id,
                last_seen_at=now,
                version=str(t.tree.linked_version(t.tree.current)),
                update=heartbeat_state(t.state_dir, str(t.tree.linked_version(t.tree.current))),
                devices_ok=True,
                unhealthy=(),
                outbox_depth=0,
            )
            for t in terminals
        ),
        generated_at=now,
    )


def test_only_the_cohort_installs_and_its_rollback_stops_the_promotion(tmp_path: Path) -> None:
    cohort = {t for t in TERMINALS if rollout_bucket(t) < ROLLOUT_PERCENT}
    assert cohort and cohort != set(TERMINALS)  # the ids exercise both sides
    repository, _ = make_repository(tmp_path / "fleet")
    repository.publish(small_bundle(tmp_path / "bundle-1.0.0", "1.0.0"), 100)
    repository.publish(small_bundle(tmp_path / "bundle-1.1.0", "1.1.0"), ROLLOUT_PERCENT)
    root = repository.path / "metadata" / "1.root.json"
    with serve_directory(repository.path) as url:
        terminals = [
            simulated_terminal(tmp_path / tid, url, root, terminal_id=tid, max_start_attempts=1)
            for tid in TERMINALS
        ]
        for terminal in terminals:
            running_stand_in(terminal, "1.0.0")
            assert terminal.poll() == 0
    installed = {t.terminal_id for t in terminals if t.tree.has_release("1.1.0")}
    assert installed == cohort
    for terminal in terminals:
        if terminal.terminal_id in cohort:
            assert release_imports_kiosk(terminal.tree.current) == "1.1.0"
            assert [s.step for s in terminal.steps()] == ["checked", "downloaded", "installed"]
        else:
            assert terminal.tree.linked_version(terminal.tree.current) == "1.0.0"
            assert terminal.steps() == []

    failing = next(t for t in terminals if t.terminal_id in cohort)
    settings = failing.settings()
    assert count_start(settings, "1.1.0")
    assert not count_start(settings, "1.1.0")  # its one start failed: switched back
    assert failing.tree.linked_version(failing.tree.current) == "1.0.0"
    with pytest.raises(PromotionRefused) as refused:
        repository.promote(fleet_status(terminals))
    assert [t.terminal_id for t in refused.value.failures] == [failing.terminal_id]
    channel = repository.promote(fleet_status(terminals), force_reason="a device fault there")
    assert channel.rollout_percent > ROLLOUT_PERCENT
