"""What the configuration refuses for the way to the platform: plain HTTP off loopback, and
a terminal secret file others could read or change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import ConfigError, partial_settings_from_dict, read_secret, settings_from_dict
from kiosk.platform.secret_file import SecretFile


def config(base_url: str) -> dict[str, Any]:
    return {"terminal": {"id": "XT-1", "secret_file": "/s"}, "platform": {"base_url": base_url}}


@pytest.mark.parametrize(
    "url",
    [
        "https://credit.xintai.example",
        "https://10.3.0.8:8443/api",
        "http://127.0.0.1:8480",
        "http://localhost:8480",
        "http://[::1]:8480",
    ],
)
def test_https_anywhere_and_plain_http_to_loopback_are_allowed(url: str) -> None:
    assert settings_from_dict(config(url)).platform.base_url == url


@pytest.mark.parametrize(
    "url",
    ["http://credit.xintai.example", "http://10.3.0.8:8480", "ftp://127.0.0.1", "https://"],
)
def test_anything_else_is_refused_naming_the_key(url: str) -> None:
    message = (
        r"^platform\.base_url: must be https:// \(plain http:// is allowed to loopback only\)$"
    )
    with pytest.raises(ConfigError, match=message):
        settings_from_dict(config(url))
    with pytest.raises(ConfigError, match=message):
        partial_settings_from_dict({"platform": {"base_url": url}})


def secret_file(tmp_path: Path, mode: int, text: str = "00ff" * 8) -> Path:
    path = tmp_path / "terminal.secret"
    path.write_text(text, encoding="ascii")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o640, 0o440])
def test_a_secret_only_its_owner_and_group_may_read_is_read(tmp_path: Path, mode: int) -> None:
    assert read_secret(secret_file(tmp_path, mode)) == bytes.fromhex("00ff" * 8)


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o660, 0o666, 0o601])
def test_a_secret_others_may_read_or_the_group_change_is_refused(tmp_path: Path, mode: int) -> None:
    path = secret_file(tmp_path, mode)
    with pytest.raises(ConfigError) as error:
        read_secret(path)
    assert str(error.value).startswith(f"terminal.secret_file: {path}: mode {mode:04o}")
    assert "chmod 0640" in str(error.value)
    assert "00ff" not in str(error.value)


def test_the_secret_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = secret_file(tmp_path, 0o600, "11" * 32)
    secret = SecretFile(path)
    assert secret.current() == bytes.fromhex("11" * 32)
    replacement = tmp_path / "new.secret"
    replacement.write_text("22" * 32, encoding="ascii")
    replacement.chmod(0o600)
    os.replace(replacement, path)  # a new inode, as an operator's `install -m 0640` makes
    assert secret.current() == bytes.fromhex("22" * 32)


def test_an_unsafe_replacement_keeps_the_secret_held(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = secret_file(tmp_path, 0o600, "11" * 32)
    secret = SecretFile(path)
    path.write_text("33" * 32, encoding="ascii")
    path.chmod(0o644)
    assert secret.current() == bytes.fromhex("11" * 32)
    assert secret.current() == bytes.fromhex("11" * 32)
    assert caplog.text.count("not re-read") == 1
    path.chmod(0o600)
    assert secret.reload() is True
    assert secret.current() == bytes.fromhex("33" * 32)
    assert "33" * 32 not in caplog.text and "11" * 32 not in caplog.text


def test_reload_says_whether_the_secret_changed(tmp_path: Path) -> None:
    secret = SecretFile(secret_file(tmp_path, 0o600, "44" * 32))
    assert secret.reload() is False
