"""packaging/install.sh run for real into a throwaway root directory (``--root``): the user
through ``useradd --root``, the units enabled through ``systemctl --root``; no apt-get."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from kiosk.config import load_settings, read_secret
from tests.conftest import require_tool
from tests.packaging.wheels import build_bundle

ROOT = Path(__file__).parents[2]
INSTALL = ROOT / "packaging" / "install.sh"
VERSION = "0.1.0"
OPTIONS = {
    "--terminal-id": "XT-0042",
    "--platform-url": "https://credit.xintai.example/api?region=370982&v=1",
    "--receipt-printer": "usb://0416:5011",
    "--repository-url": "https://releases.xintai.example/kiosk",
}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("uv", "useradd", "systemctl")
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the install script runs as root")
        pytest.skip("the install script runs as root")
    out = tmp_path_factory.mktemp("bundle")
    build_bundle(out, VERSION)
    (out / "root.json").write_text('{"signed": {"_type": "root", "version": 1}, "signatures": []}')
    return out


def fresh_root(path: Path) -> Path:
    """The account files of a fresh Debian: root, and the groups the kiosk user joins."""
    etc = path / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "group").write_text("root:x:0:\nlp:x:7:\ndialout:x:20:\n")
    (etc / "gshadow").write_text("root:*::\nlp:*::\ndialout:*::\n")
    return path


def install(root: Path, bundle: Path, **options: str) -> subprocess.CompletedProcess[str]:
    arguments = {
        **OPTIONS,
        **{f"--{key.replace('_', '-')}": value for key, value in options.items()},
    }
    return subprocess.run(
        [str(INSTALL), "--root", str(root), "--bundle", str(bundle)]
        + ["--trusted-root", str(bundle / "root.json")]
        + [item for pair in arguments.items() for item in pair],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def terminal(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = fresh_root(tmp_path_factory.mktemp("terminal"))
    # What a kill in the middle of an earlier run's venv build leaves behind.
    (root / f"opt/taihaoban-kiosk/releases/.{VERSION}.partial-killed/venv").mkdir(parents=True)
    result = install(root, bundle)
    assert result.returncode == 0, result.stderr
    return root


def account(root: Path) -> list[str]:
    """The kiosk user's /etc/passwd fields."""
    lines = (root / "etc/passwd").read_text().splitlines()
    (line,) = [line for line in lines if line.startswith("taihaoban:")]
    return line.split(":")


def kiosk_ids(root: Path) -> tuple[int, int]:
    _, _, uid, gid, *_ = account(root)
    return int(uid), int(gid)


def owner_and_mode(path: Path) -> tuple[int, int, int]:
    info = path.lstat()
    return info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)


def test_the_kiosk_user_is_a_system_user_in_the_printer_and_serial_groups(terminal: Path) -> None:
    _, _, uid, _, _, home, shell = account(terminal)
    assert int(uid) < 1000
    assert (home, shell) == ("/var/lib/taihaoban-kiosk", "/usr/sbin/nologin")
    groups = [line.split(":") for line in (terminal / "etc/group").read_text().splitlines()]
    assert {name for name, _, _, members in groups if "taihaoban" in members.split(",")} == {
        "lp",
        "dialout",
    }


def test_the_configuration_is_valid_and_readable_by_the_kiosk_user_only(
    terminal: Path, bundle: Path
) -> None:
    uid, gid = kiosk_ids(terminal)
    etc = terminal / "etc/taihaoban-kiosk"
    assert owner_and_mode(etc) == (0, gid, 0o750)
    settings = load_settings(etc / "kiosk.toml")
    assert settings.terminal.id == OPTIONS["--terminal-id"]
    assert settings.platform.base_url == OPTIONS["--platform-url"]
    assert settings.receipt_printer.options.connection == OPTIONS["--receipt-printer"]
    assert not settings.demo
    assert settings.updater is not None
    assert settings.updater.repository_url == OPTIONS["--repository-url"]
    assert owner_and_mode(etc / "kiosk.toml") == (0, gid, 0o640)
    assert owner_and_mode(etc / "terminal.secret") == (0, gid, 0o640)
    assert len(read_secret(etc / "terminal.secret")) == 32
    assert (etc / "tuf-root.json").read_bytes() == (bundle / "root.json").read_bytes()
    assert owner_and_mode(terminal / "var/lib/taihaoban-kiosk") == (uid, gid, 0o750)


def test_current_names_a_complete_release_whose_console_script_runs(
    terminal: Path, bundle: Path
) -> None:
    opt = terminal / "opt/taihaoban-kiosk"
    assert os.readlink(opt / "current") == f"releases/{VERSION}"
    assert [path.name for path in (opt / "releases").iterdir()] == [VERSION]  # the partial is gone
    result = subprocess.run(
        [str(opt / "current/venv/bin/taihaoban-kiosk"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "泰好办" in result.stdout
    bundle_wheels = {path.name for path in (bundle / "wheels").glob("*.whl")}
    assert {path.name for path in (opt / "wheels").iterdir()} == bundle_wheels


def test_the_kiosk_and_the_update_timer_start_at_boot(terminal: Path) -> None:
    system = terminal / "etc/systemd/system"
    assert (system / "graphical.target.wants/taihaoban-kiosk.service").is_symlink()
    assert (system / "timers.target.wants/taihaoban-kiosk-update.timer").is_symlink()
    assert (terminal / "etc/pam.d/taihaoban-kiosk").is_file()
    assert sorted(path.name for path in (terminal / "etc/udev/rules.d").iterdir()) == sorted(
        path.name for path in (ROOT / "packaging/udev").glob("*.rules")
    )


def snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every path under ``root``: owner, mode, and content hash or link target."""
    tree = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            content = os.readlink(path)
        elif path.is_file():
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = ""
        tree[str(path.relative_to(root))] = (*owner_and_mode(path), content)
    return tree


def test_a_second_run_changes_nothing_and_says_so(terminal: Path, bundle: Path) -> None:
    before = snapshot(terminal)
    result = install(terminal, bundle)
    assert result.returncode == 0, result.stderr
    assert "nothing changed" in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("install: changed")]
    assert snapshot(terminal) == before


def test_a_run_with_other_options_keeps_the_edited_config_and_the_secret(
    terminal: Path, tmp_path: Path, bundle: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(terminal, root, symlinks=True)
    config = root / "etc/taihaoban-kiosk/kiosk.toml"
    edited = config.read_text("utf-8").replace('service_window = ""', 'service_window = "3号窗口"')
    config.write_text(edited, "utf-8")
    secret = (root / "etc/taihaoban-kiosk/terminal.secret").read_bytes()
    result = install(root, bundle, terminal_id="XT-0099")
    assert result.returncode == 0, result.stderr
    assert "kept: /etc/taihaoban-kiosk/kiosk.toml" in result.stdout
    assert config.read_text("utf-8") == edited
    assert (root / "etc/taihaoban-kiosk/terminal.secret").read_bytes() == secret


def test_a_run_after_an_update_leaves_current_on_the_updated_release(
    terminal: Path, tmp_path: Path, bundle: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(terminal, root, symlinks=True)
    opt = root / "opt/taihaoban-kiosk"
    shutil.copytree(opt / f"releases/{VERSION}", opt / "releases/0.2.0", symlinks=True)
    (opt / "current").unlink()
    (opt / "current").symlink_to("releases/0.2.0")
    result = install(root, bundle)
    assert result.returncode == 0, result.stderr
    assert os.readlink(opt / "current") == "releases/0.2.0"


@pytest.mark.parametrize(
    "option",
    [
        {"terminal_id": 'XT-1" \n[platform]'},
        {"platform_url": 'https://x.example/"'},
        {"receipt_printer": "lpt1"},
        {"repository_url": "releases.example"},
    ],
)
def test_a_value_that_would_break_the_config_is_refused_before_anything_is_written(
    bundle: Path, tmp_path: Path, option: dict[str, str]
) -> None:
    root = fresh_root(tmp_path / "root")
    before = snapshot(root)
    result = install(root, bundle, **option)
    assert result.returncode == 1
    assert "install: error:" in result.stderr
    assert snapshot(root) == before


def test_the_install_script_passes_shellcheck() -> None:
    require_tool("shellcheck")
    result = subprocess.run(
        ["shellcheck", "--severity=style", str(INSTALL)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout
