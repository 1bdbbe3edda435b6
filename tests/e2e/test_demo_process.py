"""Demo mode runs the sandbox as another process: never imported, never left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]

# Starts demo mode as `taihaoban-kiosk run --demo` does and quits once the event loop runs.
RUN_DEMO_AND_QUIT = """
import os, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from ui import app, cli

def count_sandboxes_then_quit():
    tmp = os.environ["TMPDIR"].encode()
    cmdlines = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdlines.append((proc / "cmdline").read_bytes())
        except OSError:
            pass
    print("sandbox processes while running:", sum(tmp in c for c in cmdlines))
    app.application().quit()

QTimer.singleShot(0, count_sandboxes_then_quit)
code = cli.main(["run", "--demo", "--windowed"])
print("sandbox modules:", sorted(m for m in sys.modules if m.partition(".")[0] == "sandbox"))
sys.exit(code)
"""


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains ``text`` (the sandbox's carries its demo folder)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if text.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue  # gone meanwhile
    return found


def demo_env(tmp_path: Path) -> dict[str, str]:
    # The demo folder (and so the sandbox's command line) lands under tmp_path.
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}


def test_demo_mode_never_imports_the_sandbox_and_stops_it_on_exit(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", RUN_DEMO_AND_QUIT],
        capture_output=True,
        text=True,
        timeout=60,
        env=demo_env(tmp_path),
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sandbox processes while running: 1" in result.stdout
    assert "sandbox modules: []" in result.stdout
    assert processes_mentioning(str(tmp_path)) == []


def test_a_killed_kiosk_leaves_no_sandbox_behind(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "run", "--demo", "--windowed"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=demo_env(tmp_path),
        cwd=ROOT,
    ) as kiosk:
        try:
            assert kiosk.stderr is not None
            for line in kiosk.stderr:
                if "first frame painted" in line:
                    break
            assert len(processes_mentioning(str(tmp_path))) == 1, "one sandbox process"
        finally:
            kiosk.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(tmp_path)) == [], "the sandbox outlived a killed kiosk"
