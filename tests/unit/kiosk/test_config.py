from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings, read_secret

EXAMPLE = Path(__file__).parents[3] / "config" / "kiosk.example.toml"


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE)
    assert settings.terminal.id
    assert settings.demo is False
    assert settings.session.showing_idle_timeout_s > 0


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[terminal]
id = "XT-001"
secret_file = "/etc/taihaoban-kiosk/secret"
[platform]
base_url = "https://credit.example"
"""


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"platform: unknown keys \['proxy'\]"):
        load_settings(write(tmp_path, MINIMAL + 'proxy = "x"\n'))


def test_wrong_types_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.replace('base_url = "https://credit.example"', "base_url = 3")
    with pytest.raises(ConfigError, match=r"platform\.base_url"):
        load_settings(write(tmp_path, text))


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"terminal\.id: required"):
        load_settings(write(tmp_path, MINIMAL.replace('id = "XT-001"\n', "")))


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[terminal"))


def test_secret_must_be_hex(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("zz", encoding="ascii")
    with pytest.raises(ConfigError):
        read_secret(path)
    path.write_text("00ff\n", encoding="ascii")
    assert read_secret(path) == b"\x00\xff"
