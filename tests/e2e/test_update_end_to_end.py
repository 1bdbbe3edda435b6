"""From one real release to the next on a simulated terminal, with real processes.

Three release bundles are built from this checkout with the operators' builder: 1.0.0,
1.1.0 (code only) and 1.2.0, whose kiosk exits at every start (a broken release). The
repository is served over loopback HTTP. PID 1 is not systemd here: ``Unit`` plays the kiosk
unit (``Restart=always`` up to a start limit, then ``OnFailure=`` the rollback unit) and
listens on the notify socket it gives the kiosk. The restart command the updater runs
writes a file the test waits for, as ``systemctl restart`` would tell systemd.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fleet.build import build_bundle
from fleet.repository import Repository
from tests.tuf_repository import make_repository, serve_directory
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

pytestmark = [pytest.mark.e2e, pytest.mark.bundle, pytest.mark.timeout(3600)]

CHECKOUT = Path(__file__).resolve().parents[2]
START_LIMIT = 5
"""The kiosk unit's StartLimitBurst: after this many failed starts, OnFailure= runs."""
READY_WAIT_S = 120.0


def broken_checkout(directory: Path) -> Path:
    """A copy of the checkout's tracked files whose kiosk exits with status 4 at every start
    (after counting the start, as any crash during start-up would)."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=CHECKOUT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        if (CHECKOUT / name).is_file():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CHECKOUT / name, directory / name)
    cli = directory / "ui" / "cli.py"
    healthy = "        return app.run(settings, None, full_screen=not args.windowed)"
    text = cli.read_text()
    assert healthy in text
    cli.write_text(text.replace(healthy, "        return 4  # the broken release"))
    subprocess.run(["git", "init", "-q"], cwd=directory, check=True)
    subprocess.run(["git", "add", "-A"], cwd=directory, check=True)
    return directory


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, wheel_cache: Path) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bundles")
    broken = broken_checkout(tmp_path_factory.mktemp("broken-checkout"))
    return {
        "1.0.0": build_bundle(CHECKOUT, "1.0.0", out / "1.0.0", wheel_cache).out_dir,
        "1.1.0": build_bundle(CHECKOUT, "1.1.0", out / "1.1.0", wheel_cache).out_dir,
        "1.2.0": build_bundle(broken, "1.2.0", out / "1.2.0", wheel_cache).out_dir,
    }


@dataclass
class Unit:
    """The kiosk unit as systemd runs it: ``current/venv/bin/taihaoban-kiosk run``."""

    terminal: SimulatedTerminal
    log: Path
    name: str = field(default_factory=lambda: f"taihaoban-update-{uuid.uuid4().hex}")
    process: subprocess.Popen[bytes] | None = None
    exits: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind("\0" + self.name)

    def start_until_ready(self) -> str:
        """Start the kiosk, again after each failed start (Restart=always), until it says
        READY=1; after START_LIMIT failures run the rollback unit once (OnFailure=).
        Returns the release that got ready."""
        rolled_back = False
        while True:
            for _ in range(START_LIMIT):
                if self._start_once():
                    return str(self.terminal.tree.linked_version(self.terminal.tree.current))
            assert not rolled_back, f"not ready even after the rollback unit: {self.exits}"
            previous = self.terminal.tree.previous / "venv" / "bin" / "taihaoban-kiosk"
            command = [str(previous), "update", "rollback", "--config", str(self.terminal.config)]
            subprocess.run(command, check=True, timeout=120, env=self._env())
            rolled_back = True

    def _start_once(self) -> bool:
        binary = self.terminal.tree.current / "venv" / "bin" / "taihaoban-kiosk"
        command = [str(binary), "run", "--windowed", "--config", str(self.terminal.config)]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=log, env=self._env(), cwd=self.terminal.directory
            )
        deadline = time.monotonic() + READY_WAIT_S
        while time.monotonic() < deadline:
            self.socket.settimeout(0.5)
            try:
                if self.socket.recv(4096) == b"READY=1":
                    return True
            except TimeoutError:
                pass
            if (code := self.process.poll()) is not None:
                self.exits.append(code)
                return False
        raise AssertionError(f"neither ready nor gone: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.exits.append(self.process.wait(60))

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return {**env, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": "@" + self.name}


@dataclass
class Scene:
    repository: Repository
    bundles: dict[str, Path]
    terminal: SimulatedTerminal
    unit: Unit
    restart_requested: Path
    """The file the updater's restart command writes."""


@pytest.fixture
def scene(tmp_path: Path, bundles: dict[str, Path]) -> Iterator[Scene]:
    repository, _ = make_repository(tmp_path / "fleet")
    repository.publish(bundles["1.0.0"], 100)
    marker = tmp_path / "restart-requested"
    with serve_directory(repository.path) as url:
        terminal = simulated_terminal(
            tmp_path / "terminal",
            url,
            repository.path / "metadata" / "1.root.json",
            restart_command=("touch", str(marker)),
            commit_after_s=3.0,
            max_start_attempts=2,
        )
        unit = Unit(terminal, tmp_path / "kiosk.log")
        try:
            yield Scene(repository, bundles, terminal, unit, marker)
        finally:
            unit.stop()
            unit.socket.close()


def update_run(terminal: SimulatedTerminal) -> None:
    """The update timer's run, with the running release's own updater."""
    binary = terminal.tree.current / "venv" / "bin" / "taihaoban-kiosk"
    result = subprocess.run(
        [str(binary), "update", "run", "--now", "--config", str(terminal.config)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=terminal.directory,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def wait_for_commit(terminal: SimulatedTerminal, version: str, unit: Unit) -> None:
    deadline = time.monotonic() + READY_WAIT_S
    while terminal.state().committed != version:
        assert time.monotonic() < deadline, unit.log.read_text()[-3000:]
        assert unit.process is not None and unit.process.poll() is None, unit.log.read_text()
        time.sleep(0.5)


def test_an_update_commits_once_healthy_and_a_broken_one_is_rolled_back(scene: Scene) -> None:
    terminal, unit, marker = scene.terminal, scene.unit, scene.restart_requested
    repository, bundles = scene.repository, scene.bundles
    # the first install (what the install script does), then the kiosk starts
    assert terminal.poll() == 0
    assert unit.start_until_ready() == "1.0.0"

    repository.publish(bundles["1.1.0"], 100)
    update_run(terminal)
    assert marker.exists()  # the updater asked for a restart
    unit.stop()
    assert unit.start_until_ready() == "1.1.0"
    wait_for_commit(terminal, "1.1.0", unit)
    steps = [(s.step, s.version) for s in terminal.steps()]
    assert steps[-4:] == [
        ("checked", "1.1.0"),
        ("downloaded", "1.1.0"),
        ("installed", "1.1.0"),
        ("committed", "1.1.0"),
    ]
    downloads = {s.version: s.bytes_downloaded for s in terminal.steps() if s.step == "downloaded"}
    assert downloads["1.1.0"] < downloads["1.0.0"] / 20  # our wheel alone

    marker.unlink()
    repository.publish(bundles["1.2.0"], 100)
    update_run(terminal)
    assert marker.exists()
    unit.stop()
    unit.exits.clear()
    assert unit.start_until_ready() == "1.1.0"  # the broken release gave up by itself
    assert unit.exits == [4, 4, 3]  # two counted starts, then the switch back
    state = terminal.state()
    assert state.bad == ["1.2.0"] and state.committed == "1.1.0" and state.pending is None
    rolled_back = terminal.steps()[-1]
    assert (rolled_back.step, rolled_back.version) == ("rolled_back", "1.2.0")
    update_run(terminal)  # the channel still names 1.2.0: not installed again
    assert terminal.tree.linked_version(terminal.tree.current) == "1.1.0"
