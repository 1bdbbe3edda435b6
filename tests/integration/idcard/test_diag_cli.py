"""``taihaoban-kiosk diag read-card``: one card, a masked result, an honest exit code."""

from __future__ import annotations

import ctypes
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.idcard.text_block import encode_text_block
from tests.cards import foreign_card, make_card
from tests.integration.idcard.pcscd import Pcscd
from tests.vpcd_emulator import EmulatedCard, VpcdCard
from ui.cli import main

ROOT = Path(__file__).parents[3]


def write_config(tmp_path: Path, driver: str, options: str) -> Path:
    secret = tmp_path / "terminal.secret"
    secret.write_text("00" * 32, encoding="ascii")
    secret.chmod(0o600)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f"""
[terminal]
id = "XT-DIAG"
secret_file = "{secret}"
state_dir = "{tmp_path / "state"}"

[platform]
base_url = "http://127.0.0.1:9"

[card_reader]
driver = "{driver}"
[card_reader.options]
{options}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def pcsc_config(tmp_path: Path) -> Path:
    return write_config(tmp_path, "pcsc", 'reader = "Virtual PCD 00 01"')


@pytest.mark.service
def test_a_good_read_prints_exactly_one_masked_json_line(
    pcscd: Pcscd,
    lay: Callable[..., VpcdCard],
    pcsc_config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    card = make_card(name="张三丰", valid_to=None)
    lay(EmulatedCard(text_block=encode_text_block(card)), reader=0)
    lay(EmulatedCard(text_block=encode_text_block(card)), reader=1)
    argv = ["diag", "read-card", "--config", str(pcsc_config), "--json", "--timeout", "5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    result = json.loads(out)
    for timing in ("wait_ms", "read_ms"):
        assert isinstance(result.pop(timing), int)
    assert result == {
        "card_type": "resident",
        "name_masked": "张*丰",
        "id_masked": card.id_number[:4] + "*" * 10 + card.id_number[-4:],
        "id_checksum_ok": True,
        "valid_to": "long_term",
        "photo_bytes": 1024,
    }
    assert card.id_number not in out and card.name not in out


@pytest.mark.service
@pytest.mark.parametrize(
    ("card", "reason"),
    [
        (EmulatedCard(kind="bank"), "not an identity card"),
        (EmulatedCard(kind="uid_only"), "this reader cannot read identity data"),
        (EmulatedCard(sam_fault=True), "security module reported a fault"),
    ],
)
def test_a_failed_read_exits_non_zero_with_one_line(
    pcscd: Pcscd,
    lay: Callable[..., VpcdCard],
    pcsc_config: Path,
    capsys: pytest.CaptureFixture[str],
    card: EmulatedCard,
    reason: str,
) -> None:
    lay(card, reader=1)
    argv = ["diag", "read-card", "--config", str(pcsc_config), "--json", "--timeout", "5"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and reason in captured.err


@pytest.mark.service
def test_no_card_in_time_and_the_reader_option(
    pcscd: Pcscd, pcsc_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["diag", "read-card", "--config", str(pcsc_config), "--timeout", "0.5"]
    assert main([*argv, "--reader", 'pcsc:reader = "Virtual PCD 00 00"']) == 1
    assert "no card laid within 0.5 s" in capsys.readouterr().err
    assert main([*argv, "--reader", 'pcsc:reader = "No Such Reader"']) == 1
    assert "no card reader matches 'No Such Reader'" in capsys.readouterr().err


def test_sdtapi_reader_and_a_card_without_check_digit(
    tmp_path: Path, build_library: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    library = build_library("fake_sdtapi.c")
    fake = ctypes.CDLL(str(library))
    fake.fake_reset()
    text = encode_text_block(foreign_card())
    fake.fake_lay_card(text, len(text), bytes(1024), 1024)
    config = write_config(tmp_path, "sdtapi", f'library = "{library}"\npoll_interval_s = 0.01')
    try:
        assert main(["diag", "read-card", "--config", str(config), "--json"]) == 0
    finally:
        fake.fake_reset()
    result = json.loads(capsys.readouterr().out)
    assert result["card_type"] == "foreign_pr"
    assert result["name_masked"] == "史*斯"
    assert result["id_masked"] == "USA3**********0215"
    assert result["id_checksum_ok"] is None  # the 2017 card's number has no known check digit
    assert result["valid_to"] == "2029-06-15"
    assert main(["diag", "read-card", "--config", str(config), "--reader", "x"]) == 2


def test_the_command_never_loads_qt(tmp_path: Path) -> None:
    config = write_config(tmp_path, "simulated", "")
    code = (
        "import sys; from ui.cli import main; "
        f"rc = main(['diag', 'read-card', '--config', {str(config)!r}, '--timeout', '0.3']); "
        "assert 'PySide6' not in sys.modules, 'Qt was imported'; sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == ["read-card: no card laid within 0.3 s"]
