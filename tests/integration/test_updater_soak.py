"""Update cycles interrupted at random: each publishes a new release and runs the updater in
a process killed (SIGKILL, with its pip and compileall children) either just before a
random step or after a random delay, mid-step. After every kill the ``current`` release
starts; the next poll finishes the update cleanly. ``UPDATE_CYCLES`` sets how many (``make
soak``: 50); ``SOAK_SEED`` replays a run's choices."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from tests.integration.test_updater_install import KILL_STEPS, ROOT
from tests.tuf_repository import make_repository, serve_directory
from tests.updater.releases import release_imports_kiosk, small_bundle
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

CYCLES = int(os.environ.get("UPDATE_CYCLES", "3"))
LONGEST_DELAY_S = 12.0
"""Kills after a delay land anywhere from the metadata refresh to the switch."""


def interrupted_update(terminal: SimulatedTerminal, chooser: random.Random) -> str:
    """One ``update run`` killed somewhere; returns where, for the failure message."""
    if chooser.random() < 0.5:
        step = chooser.choice(KILL_STEPS)
        command = [sys.executable, "-m", "tests.updater.kill_worker", str(terminal.config), step]
        subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600)
        return f"before {step}"
    delay = chooser.uniform(0, LONGEST_DELAY_S)
    command = [sys.executable, "-m", "tests.updater.kill_worker", str(terminal.config), "-"]
    worker = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        worker.wait(delay)
        return f"not killed: done within {delay:.1f} s"
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(60)
        return f"after {delay:.1f} s"


def test_randomly_interrupted_update_cycles(tmp_path: Path) -> None:
    seed = int(os.environ.get("SOAK_SEED", random.randrange(1 << 32)))
    print(f"update soak: {CYCLES} cycles, SOAK_SEED={seed}")
    chooser = random.Random(seed)
    repository, _ = make_repository(tmp_path / "fleet")
    repository.publish(small_bundle(tmp_path / "bundle-1.0.0", "1.0.0"), 100)
    with serve_directory(repository.path) as url:
        terminal = simulated_terminal(
            tmp_path / "terminal", url, repository.path / "metadata" / "1.root.json"
        )
        assert terminal.poll() == 0
        for cycle in range(1, CYCLES + 1):
            version = f"1.{cycle}.0"
            repository.publish(small_bundle(tmp_path / f"bundle-{version}", version), 100)
            where = interrupted_update(terminal, chooser)
            running = release_imports_kiosk(terminal.tree.current)
            assert running in (version, f"1.{cycle - 1}.0"), (seed, cycle, where)
            assert terminal.poll() == 0, (seed, cycle, where)
            assert terminal.state().pending == version, (seed, cycle, where)
            assert release_imports_kiosk(terminal.tree.current) == version, (seed, cycle, where)
            terminal.commit_running()
            tree = terminal.tree
            assert len(tree.versions()) <= 3, (seed, cycle, where)
            assert not list(tree.releases.glob(".*")), (seed, cycle, where)
