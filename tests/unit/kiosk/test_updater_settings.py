"""The ``[updater]`` section and the maintenance window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings
from kiosk.updater.updater import in_window

MINIMAL = """
[terminal]
id = "XT-001"
secret_file = "/etc/taihaoban-kiosk/secret"
[platform]
base_url = "https://credit.example"
"""
CHINA = dt.timezone(dt.timedelta(hours=8))


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "kiosk.toml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    return load_settings(path)


def test_a_terminal_without_the_section_does_not_update(tmp_path: Path) -> None:
    assert load(tmp_path, "").updater is None  # type: ignore[attr-defined]


def test_the_section_refuses_unknown_keys_and_bad_values(tmp_path: Path) -> None:
    section = '[updater]\nrepository_url = "https://releases.example"\n'
    with pytest.raises(ConfigError, match=r"updater: unknown keys \['channel'\]"):
        load(tmp_path, section + 'channel = "beta"\n')
    with pytest.raises(ConfigError, match=r"updater\.maintenance_window"):
        load(tmp_path, section + 'maintenance_window = "2am-5am"\n')
    with pytest.raises(ConfigError, match=r"updater\.keep_releases"):
        load(tmp_path, section + "keep_releases = 1\n")
    settings = load(tmp_path, section + 'restart_command = ["systemctl", "restart", "k"]\n')
    assert settings.updater.restart_command == ("systemctl", "restart", "k")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("window", "china_time", "inside"),
    [
        ("02:00-05:00", "02:00", True),
        ("02:00-05:00", "04:59", True),
        ("02:00-05:00", "05:00", False),
        ("02:00-05:00", "01:59", False),
        ("23:00-01:00", "23:30", True),
        ("23:00-01:00", "00:30", True),
        ("23:00-01:00", "12:00", False),
        ("00:00-00:00", "12:00", True),
    ],
)
def test_the_maintenance_window_is_china_time(window: str, china_time: str, inside: bool) -> None:
    hour, minute = map(int, china_time.split(":"))
    now_utc = dt.datetime(2026, 12, 1, hour, minute, tzinfo=CHINA).astimezone(dt.UTC)
    assert in_window(window, now_utc) is inside
