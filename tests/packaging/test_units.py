"""The systemd units and udev rules a terminal installs, read as systemd and udev read them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_tool

ROOT = Path(__file__).parents[2]
UNITS = sorted((ROOT / "packaging" / "systemd").iterdir())
RULES = sorted((ROOT / "packaging" / "udev").glob("*.rules"))
# Every ExecStart*= binary of the units: `verify` refuses a command that is not executable.
COMMANDS = (
    "usr/bin/cage",
    "usr/bin/systemctl",
    "opt/taihaoban-kiosk/current/venv/bin/taihaoban-kiosk",
    "opt/taihaoban-kiosk/previous/venv/bin/taihaoban-kiosk",
)


def verify(units: list[Path], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify`` of ``units`` installed in a throwaway root holding this
    machine's system units (the targets they order against) and stubs at the commands'
    paths. It exits 0 even for a unit it had to ignore a line of: its stderr is the verdict."""
    require_tool("systemd-analyze")
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    for command in COMMANDS:
        stub = root / command
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\n")
        stub.chmod(0o755)
    installed = root / "etc/systemd/system"
    installed.mkdir(parents=True)
    for unit in units:
        shutil.copy(unit, installed / unit.name)
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "--man=no", "--generators=no"]
        + [str(installed / unit.name) for unit in units],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    result = verify(UNITS, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_verify_reports_a_unit_line_systemd_would_ignore(tmp_path: Path) -> None:
    broken = tmp_path / "taihaoban-kiosk.service"
    kiosk = (ROOT / "packaging/systemd/taihaoban-kiosk.service").read_text("utf-8")
    broken.write_text(kiosk.replace("NotifyAccess=all", "NotifyAcess=all"), "utf-8")
    result = verify([broken], tmp_path)
    assert "Unknown key 'NotifyAcess'" in result.stderr


def unit_lines(name: str) -> list[str]:
    text = (ROOT / "packaging/systemd" / name).read_text("utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_the_watchdog_reaches_the_app_cage_runs() -> None:
    """systemd names cage in WATCHDOG_PID; the app (kiosk/sd_notify.py) would then never ping
    and the watchdog would kill a healthy kiosk every WatchdogSec."""
    lines = unit_lines("taihaoban-kiosk.service")
    assert "NotifyAccess=all" in lines
    assert "UnsetEnvironment=WATCHDOG_PID" in lines
    assert any(line.startswith("WatchdogSec=") for line in lines)


def test_cage_runs_the_current_release_without_vt_switching() -> None:
    (exec_start,) = [line for line in unit_lines("taihaoban-kiosk.service") if "ExecStart=" in line]
    compositor, _, app = exec_start.removeprefix("ExecStart=").partition(" -- ")
    assert compositor.split()[0] == "/usr/bin/cage"
    assert "-s" not in compositor.split()  # -s would let a keyboard switch to a text console
    assert app == "/opt/taihaoban-kiosk/current/venv/bin/taihaoban-kiosk run"


# One udev rule token: KEY or KEY{attribute}, an operator, a double-quoted value.
RULE_TOKEN = re.compile(r'[A-Z_]+(\{[^}]+\})?(==|!=|\+=|-=|:=|=)"[^"]*"')


def test_udev_rules_are_well_formed() -> None:
    for rules in RULES:
        for line in rules.read_text("utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            tokens = line.split(", ")
            assert all(RULE_TOKEN.fullmatch(token) for token in tokens), f"{rules.name}: {line}"
            assert any("==" in token for token in tokens), (
                "a rule without a match hits every device"
            )
            assignments = [t for t in tokens if re.match(r'[A-Z_]+(\{[^}]+\})?(\+|:)?="', t)]
            assert assignments, f"{rules.name}: a rule that does nothing: {line}"
