"""A simulated terminal for updater tests: its configuration (an ``[updater]`` section
pointing at a loopback repository), its ``/opt`` tree and state directory in a temporary
directory, and what it recorded (state file, ``update_step`` items of its outbox)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import msgspec

from kiosk.config import Settings, load_settings
from kiosk.contract import UpdateStep
from kiosk.updater.pending import PendingRelease, StepLog
from kiosk.updater.releases import ReleaseTree
from kiosk.updater.state import StateFile, UpdaterState
from kiosk.updater.updater import Poll
from offline_cache.outbox import Outbox

SYSTEM_PYTHON = Path(sys.base_prefix) / "bin" / "python3"
"""The Python releases' virtualenvs are built with (a terminal's /usr/bin/python3.11)."""


@dataclass(frozen=True)
class SimulatedTerminal:
    directory: Path
    terminal_id: str

    @property
    def config(self) -> Path:
        return self.directory / "kiosk.toml"

    @property
    def install_root(self) -> Path:
        return self.directory / "opt"

    @property
    def state_dir(self) -> Path:
        return self.directory / "state"

    @property
    def tree(self) -> ReleaseTree:
        return ReleaseTree(self.install_root)

    def settings(self) -> Settings:
        return load_settings(self.config)

    def poll(self) -> int:
        """One ``update run`` in this process."""
        settings = self.settings()
        assert settings.updater is not None
        outbox = Outbox(self.state_dir / "outbox.sqlite3")
        try:
            return Poll(settings, settings.updater, outbox).run()
        finally:
            outbox.close()

    def commit_running(self) -> None:
        """What the running kiosk does once its new release has proved healthy."""
        current = self.tree.linked_version(self.tree.current)
        settings = self.settings()
        assert current is not None and settings.updater is not None
        outbox = Outbox(self.state_dir / "outbox.sqlite3")
        try:
            steps = StepLog(StateFile(self.state_dir), outbox, self.terminal_id, current)
            release = PendingRelease(settings.updater, self.state_dir, steps, current)
            assert release.pending
            release.observe(True, now=0.0)
            release.observe(True, now=settings.updater.commit_after_s)
            assert not release.pending
        finally:
            outbox.close()

    def state(self) -> UpdaterState:
        return StateFile(self.state_dir).read()

    def steps(self) -> list[UpdateStep]:
        """The update steps queued for the platform, oldest first."""
        outbox = Outbox(self.state_dir / "outbox.sqlite3")
        try:
            items = [i for i in outbox.peek(10_000) if i.kind == UpdateStep.KIND]
        finally:
            outbox.close()
        items.sort(key=lambda i: i.created_at)
        return [msgspec.convert(i.payload, UpdateStep) for i in items]


def simulated_terminal(
    directory: Path,
    repository_url: str,
    trusted_root: Path,
    *,
    terminal_id: str = "XT-UPDATE-1",
    restart_command: tuple[str, ...] = ("true",),
    commit_after_s: float = 2.0,
    max_start_attempts: int = 2,
    window: str = "00:00-00:00",
    extra: str = "",
) -> SimulatedTerminal:
    """A terminal's files in ``directory``; ``extra`` is appended to its kiosk.toml."""
    terminal = SimulatedTerminal(directory, terminal_id)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "secret").write_text("00" * 32)
    (directory / "secret").chmod(0o600)
    printed = directory / "printed"
    restart = ", ".join(f'"{part}"' for part in restart_command)
    terminal.config.write_text(
        f"""
[terminal]
id = "{terminal_id}"
secret_file = "{directory / "secret"}"
state_dir = "{terminal.state_dir}"

[platform]
base_url = "http://127.0.0.1:9"
connect_timeout_s = 0.5
read_timeout_s = 0.5
retries = 0

[receipt_printer.options]
output_dir = "{printed}"

[document_printer.options]
output_dir = "{printed}"

[updater]
repository_url = "{repository_url}"
trusted_root = "{trusted_root}"
install_root = "{terminal.install_root}"
python = "{SYSTEM_PYTHON}"
poll_jitter_s = 0.0
maintenance_window = "{window}"
commit_after_s = {commit_after_s}
max_start_attempts = {max_start_attempts}
restart_command = [{restart}]
{extra}
""",
        encoding="utf-8",
    )
    return terminal
