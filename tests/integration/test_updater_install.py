"""Installing on a terminal's own disk: real virtualenvs built offline from small wheels,
``current`` switched atomically, old releases pruned, kills at every step, the session lock,
the maintenance window, start attempts, commit and rollback."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fleet.repository import Repository
from kiosk.updater.pending import PendingRelease, StepLog, count_start
from kiosk.updater.session_lock import SessionLock, session_lock_path
from kiosk.updater.state import StateFile
from offline_cache.outbox import Outbox
from tests.tuf_repository import make_repository, serve_directory
from tests.updater.releases import release_imports_kiosk, small_bundle
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

ROOT = Path(__file__).resolve().parents[2]
KILL_STEPS = (
    "download",
    "venv",
    "wheels",
    "relocate",
    "rename",
    "previous",
    "current",
    "restart",
)
"""Every step of an update, in the order a poll takes them."""


@dataclass
class Fleet:
    repository: Repository
    url: str
    tmp: Path

    def publish(self, version: str) -> None:
        self.repository.publish(small_bundle(self.tmp / f"bundle-{version}", version), 100)

    def terminal(self, name: str = "terminal", **options: object) -> SimulatedTerminal:
        root = self.repository.path / "metadata" / "1.root.json"
        return simulated_terminal(self.tmp / name, self.url, root, **options)  # type: ignore[arg-type]


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    repository, _ = make_repository(tmp_path / "fleet")
    with serve_directory(repository.path) as url:
        yield Fleet(repository, url, tmp_path)


def installed(fleet: Fleet, version: str = "1.0.0", **options: object) -> SimulatedTerminal:
    """A terminal whose first install (``version``) is done."""
    fleet.publish(version)
    terminal = fleet.terminal(**options)
    assert terminal.poll() == 0
    assert terminal.state().committed == version
    return terminal


def test_releases_switch_atomically_and_the_current_and_two_before_it_are_kept(
    fleet: Fleet,
) -> None:
    terminal = installed(fleet)
    for version in ("1.1.0", "1.2.0", "1.3.0"):
        fleet.publish(version)
        assert terminal.poll() == 0
        assert release_imports_kiosk(terminal.tree.current) == version
        terminal.commit_running()
    tree = terminal.tree
    assert tree.versions() == ["1.1.0", "1.2.0", "1.3.0"]
    assert os.readlink(tree.current) == "releases/1.3.0"
    assert os.readlink(tree.previous) == "releases/1.2.0"
    assert sorted(p.name for p in terminal.install_root.iterdir()) == [
        "current",
        "previous",
        "releases",
        "wheels",
    ]  # no temporary link, no partial release left
    assert len(list(tree.wheels.glob("taihaoban_kiosk-*.whl"))) == 3  # 1.0.0's pruned too
    steps = terminal.steps()
    downloads = [s.bytes_downloaded for s in steps if s.step == "downloaded"]
    assert downloads[1] < downloads[0] / 2  # a code-only update fetches our wheel alone
    assert [s.step for s in steps if s.version == "1.3.0"] == [
        "checked",
        "downloaded",
        "installed",
        "committed",
    ]


def test_a_kill_at_every_step_of_an_install_leaves_a_current_that_starts(fleet: Fleet) -> None:
    terminal = installed(fleet)
    fleet.publish("1.1.0")
    for step in KILL_STEPS:
        worker = subprocess.run(
            [sys.executable, "-m", "tests.updater.kill_worker", str(terminal.config), step],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert worker.returncode == -signal.SIGKILL, (step, worker.stderr)
        running = release_imports_kiosk(terminal.tree.current)
        assert running == ("1.1.0" if step == "restart" else "1.0.0"), step
        if step == "restart":
            assert terminal.state().pending == "1.1.0"
    # the next poll after the last kill finds the release switched to, waiting to commit
    assert terminal.poll() == 0
    terminal.commit_running()
    assert terminal.state().committed == "1.1.0"
    assert terminal.tree.versions() == ["1.0.0", "1.1.0"]
    assert not list(terminal.tree.releases.glob(".*"))


def test_a_session_under_way_keeps_the_built_release_waiting(fleet: Fleet) -> None:
    terminal = installed(fleet)
    fleet.publish("1.1.0")
    session = SessionLock(session_lock_path(terminal.state_dir))
    assert session.hold()
    assert terminal.poll() == 0
    assert terminal.tree.linked_version(terminal.tree.current) == "1.0.0"
    assert terminal.tree.has_release("1.1.0")  # built beside the running one meanwhile
    assert terminal.state().last.detail == "built; waits for the end of a session"
    session.release()
    assert terminal.poll() == 0
    assert terminal.tree.linked_version(terminal.tree.current) == "1.1.0"
    assert [s.step for s in terminal.steps() if s.version == "1.1.0"].count("downloaded") == 1


def test_the_kiosk_reads_no_card_while_the_updater_switches(tmp_path: Path) -> None:
    from kiosk.updater.session_lock import no_session

    path = session_lock_path(tmp_path)
    with no_session(path) as free:
        assert free
        assert not SessionLock(path).hold()
    kiosk = SessionLock(path)
    assert kiosk.hold()
    with no_session(path) as free:
        assert not free


def test_nothing_is_fetched_outside_the_maintenance_window(fleet: Fleet) -> None:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    start = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    end = (now + dt.timedelta(hours=3)).strftime("%H:%M")
    fleet.publish("1.0.0")
    terminal = fleet.terminal(window=f"{start}-{end}")
    assert terminal.poll() == 0
    assert terminal.steps() == []
    assert not terminal.tree.wheels.exists()


def test_a_release_that_never_gets_healthy_is_switched_back_and_marked_bad(
    fleet: Fleet,
) -> None:
    terminal = installed(fleet, max_start_attempts=2)
    fleet.publish("1.1.0")
    assert terminal.poll() == 0
    settings = terminal.settings()
    assert count_start(settings, "1.1.0")
    assert count_start(settings, "1.1.0")
    assert terminal.state().start_attempts == 2
    assert not count_start(settings, "1.1.0")  # the third start: back to 1.0.0
    assert release_imports_kiosk(terminal.tree.current) == "1.0.0"
    state = terminal.state()
    assert state.bad == ["1.1.0"] and state.pending is None and state.committed == "1.0.0"
    assert state.last.state == "rolled_back"
    rolled_back = terminal.steps()[-1]
    assert (rolled_back.step, rolled_back.version) == ("rolled_back", "1.1.0")
    assert "not healthy after 2 starts" in rolled_back.detail
    # the channel still offers 1.1.0: a release marked bad here is not installed again
    assert terminal.poll() == 0
    assert terminal.tree.linked_version(terminal.tree.current) == "1.0.0"
    assert count_start(settings, "1.0.0")  # the committed release just starts


def test_health_must_last_commit_after_s_without_a_break(fleet: Fleet) -> None:
    terminal = installed(fleet, commit_after_s=10.0)
    fleet.publish("1.1.0")
    assert terminal.poll() == 0
    settings = terminal.settings()
    assert settings.updater is not None
    outbox = Outbox(terminal.state_dir / "outbox.sqlite3")
    steps = StepLog(StateFile(terminal.state_dir), outbox, terminal.terminal_id, "1.1.0")
    release = PendingRelease(settings.updater, terminal.state_dir, steps, "1.1.0")
    release.observe(True, now=100.0)
    release.observe(False, now=105.0)  # a device failed its check: the count starts again
    release.observe(True, now=108.0)
    release.observe(True, now=117.0)
    assert terminal.state().pending == "1.1.0"
    release.observe(True, now=118.0)
    outbox.close()
    assert terminal.state().committed == "1.1.0"
    assert terminal.steps()[-1].step == "committed"


def run_cli(terminal: SimulatedTerminal, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "update", *args, "--config", str(terminal.config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_update_rollback_and_status_from_the_command_line(fleet: Fleet) -> None:
    marker = fleet.tmp / "restarted"
    terminal = installed(fleet, restart_command=("touch", str(marker)))
    fleet.publish("1.1.0")
    assert run_cli(terminal, "run", "--now").returncode == 0
    assert marker.exists()
    status = json.loads(run_cli(terminal, "status").stdout)
    assert status["current"] == "1.1.0" and status["previous"] == "1.0.0"
    assert status["pending"] == "1.1.0" and status["committed"] == "1.0.0"
    assert status["last"]["state"] == "pending_commit"
    assert status["check_overdue"] is False
    marker.unlink()
    rollback = run_cli(terminal, "rollback", "--reason", "the kiosk unit kept failing")
    assert rollback.returncode == 0 and "rolled back from 1.1.0" in rollback.stdout
    assert marker.exists()
    status = json.loads(run_cli(terminal, "status").stdout)
    assert status["current"] == "1.0.0" and status["previous"] is None
    assert status["bad"] == ["1.1.0"] and status["pending"] is None
    assert "nothing to roll back" in run_cli(terminal, "rollback").stdout


def test_status_says_a_terminal_without_the_section_never_updates(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[terminal]\nid = "XT-1"\nsecret_file = "{tmp_path / "s"}"\n'
        '[platform]\nbase_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "update", "status", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout) == {
        "configured": False,
        "detail": "no [updater] section in the configuration: this terminal never updates",
    }


def test_a_kiosk_user_that_cannot_switch_leaves_it_to_the_rollback_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal the kiosk's user may not write /opt: its failed starts end the kiosk
    unit, whose rollback unit (root) switches back."""
    from kiosk.updater.releases import ReleaseTree
    from kiosk.updater.updater import roll_back_from_outside

    terminal = simulated_terminal(
        tmp_path, "http://127.0.0.1:9", tmp_path / "root.json", max_start_attempts=1
    )
    for version in ("1.0.0", "1.1.0"):  # stand-ins: nothing here runs them
        bin_dir = terminal.tree.release_dir(version) / "venv" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "python").touch()
        terminal.tree.switch(version)
    with StateFile(terminal.state_dir).change() as state:
        state.committed, state.pending = "1.0.0", "1.1.0"
    settings = terminal.settings()

    def not_allowed(self: ReleaseTree) -> str | None:
        raise PermissionError(13, "Permission denied", str(self.current))

    with monkeypatch.context() as patched:
        patched.setattr(ReleaseTree, "switch_back", not_allowed)
        assert count_start(settings, "1.1.0")
        assert not count_start(settings, "1.1.0")
        assert not count_start(settings, "1.1.0")  # every start now fails at once
    assert terminal.state().pending == "1.1.0"
    assert terminal.tree.linked_version(terminal.tree.current) == "1.1.0"
    assert roll_back_from_outside(settings, "the kiosk unit kept failing") == "1.1.0"
    assert terminal.tree.linked_version(terminal.tree.current) == "1.0.0"
    assert terminal.state().bad == ["1.1.0"]
