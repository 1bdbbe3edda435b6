from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.camera.v4l2 import V4l2CameraOptions
from devices.idcard.pcsc import PcscOptions
from devices.idcard.simulated import SimulatedReaderOptions
from devices.printers.simulated import SimulatedReceiptOptions
from kiosk.config import (
    ConfigError,
    DeviceSettings,
    device_settings,
    load_settings,
    read_secret,
    settings_from_dict,
)

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
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="not hex"):
        read_secret(path)
    path.write_text("00ff\n", encoding="ascii")
    assert read_secret(path) == b"\x00\xff"


def settings_with(table: str, text: str) -> str:
    """MINIMAL plus one device table, e.g. ``[card_reader]`` with its options."""
    return MINIMAL + f"[{table}]\n" + text


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        (
            "receipt_printer",
            'driver = "simulated"\n[receipt_printer.options]\nhas_chinese_font = "false"\n',
            r"^receipt_printer\.options\.has_chinese_font: expected bool, got str$",
        ),
        (
            "card_reader",
            'driver = "sdtapi"\n[card_reader.options]\nlibrary = "/x.so"\nbaud = 115200\n',
            r"^card_reader\.options: unknown keys \['baud'\]$",
        ),
        (
            "card_reader",
            'driver = "pcsc"\n[card_reader.options]\nretry_s = -1.0\n',
            r"^card_reader\.options\.retry_s: must be more than 0, got -1\.0$",
        ),
        (
            "card_reader",
            'driver = "sdtapi"\n[card_reader.options]\nlibrary = "/x.so"\nport = "1001"\n',
            r"^card_reader\.options\.port: expected int, got str$",
        ),
        (
            "card_reader",
            'driver = "sdtapi"\n',
            r"^card_reader\.options\.library: required$",
        ),
        (
            "receipt_printer",
            'driver = "escpos"\n[receipt_printer.options]\nconnection = "tcp://10.0.0.5"\n'
            'profile = "pos-58-cn"\n'
            '[receipt_printer.options.profile_overrides]\ncutter = "laser"\n',
            r"^receipt_printer\.options\.profile_overrides: .*cutter must be one of",
        ),
        (
            "document_printer",
            'driver = "cups"\n[document_printer.options]\nqueue = "a4"\npoll_s = "fast"\n',
            r"^document_printer\.options\.poll_s: expected float, got str$",
        ),
        (
            "document_printer",
            'driver = "cups"\n[document_printer.options]\nqueue = "a4"\n'
            "[document_printer.options.job_options]\ncopies = 2\n",
            r"^document_printer\.options\.job_options\[\.\.\.\]: expected str, got int$",
        ),
        (
            "card_reader",
            'driver = "nfc"\n',
            r"^card_reader\.driver: unknown driver 'nfc'; choose one of \['pcsc', 'sdtapi'",
        ),
    ],
)
def test_bad_driver_options_are_one_line_naming_the_key(
    tmp_path: Path, table: str, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, settings_with(table, text)))


def test_driver_options_become_the_drivers_own_model(tmp_path: Path) -> None:
    text = 'driver = "pcsc"\n[card_reader.options]\nreader = "Virtual PCD"\nretry_s = 1\n'
    loaded = load_settings(write(tmp_path, settings_with("card_reader", text)))
    assert loaded.card_reader == DeviceSettings(
        "pcsc", PcscOptions(reader="Virtual PCD", retry_s=1.0)
    )
    assert loaded.receipt_printer == DeviceSettings("simulated", SimulatedReceiptOptions())


def commented_driver_blocks(example: str) -> dict[str, str]:
    """Each commented-out driver block of the example, as the TOML of its device table."""
    blocks: dict[str, str] = {}
    table = ""
    lines = example.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("[") and "." not in line:
            table = line.strip("[]")
        if line.startswith('#   driver = "'):
            body = [line[4:]]
            for following in lines[i + 1 :]:
                if not following.startswith("#   "):
                    break
                body.append(following[4:].split("  #")[0])
            blocks[body[0]] = f"[{table}]\n" + "\n".join(body) + "\n"
    return blocks


def test_every_commented_driver_block_in_the_example_is_valid(tmp_path: Path) -> None:
    blocks = commented_driver_blocks(EXAMPLE.read_text(encoding="utf-8"))
    drivers = ("pcsc", "sdtapi", "escpos", "cups", "v4l2")
    assert set(blocks) == {f'driver = "{d}"' for d in drivers}
    for driver_line, block in blocks.items():
        loaded = load_settings(write(tmp_path, MINIMAL + block))
        devices = (
            loaded.card_reader,
            loaded.receipt_printer,
            loaded.document_printer,
            loaded.camera,
        )
        assert driver_line.split('"')[1] in {device.driver for device in devices}


def test_example_config_names_the_drivers_options_models() -> None:
    loaded = load_settings(EXAMPLE)
    assert isinstance(loaded.card_reader.options, SimulatedReaderOptions)
    assert loaded.receipt_printer.options.columns == 32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("retries = -1", r"^platform\.retries: expected int >= 0$"),
        ("read_timeout_s = 0", r"^platform\.read_timeout_s: expected float > 0\.0$"),
        ('read_timeout_s = "10"', r"^platform\.read_timeout_s: expected float, got str$"),
        ("retries = true", r"^platform\.retries: expected int, got bool$"),
    ],
)
def test_settings_values_are_checked_naming_the_key(
    tmp_path: Path, change: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, MINIMAL + change + "\n"))


def test_device_settings_in_code_are_checked_like_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^receipt_printer\.options: unknown keys \['colour'\]"):
        device_settings("receipt_printer", "simulated", {"colour": True})
    with pytest.raises(ConfigError, match=r"^card_reader\.options\.faults: expected array"):
        device_settings("card_reader", "simulated", {"faults": "timeout_on_read:1"})


TOML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["simulated", "pcsc", "sdtapi", "escpos", "cups", "tcp://x", "/x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "driver",
                    "options",
                    "output_dir",
                    "columns",
                    "faults",
                    "reader",
                    "retry_s",
                    "library",
                    "port",
                    "queue",
                    "connection",
                    "profile",
                    "job_options",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    devices=st.dictionaries(
        st.sampled_from(["card_reader", "receipt_printer", "document_printer"]), TOML_VALUES
    ),
    platform=st.dictionaries(
        st.sampled_from(["base_url", "retries", "read_timeout_s", "proxy"]), TOML_VALUES
    ),
)
def test_any_table_is_settings_or_one_config_error(
    devices: dict[str, Any], platform: dict[str, Any]
) -> None:
    data = {
        "terminal": {"id": "XT-1", "secret_file": "/s"},
        "platform": {"base_url": "https://x", **platform},
        **devices,
    }
    try:
        loaded = settings_from_dict(data)
    except ConfigError as error:
        assert "\n" not in str(error)
        assert str(error).split(":")[0].split(".")[0] in {*data, "top level"}
    else:
        assert not isinstance(loaded.card_reader.options, dict)


def test_the_consent_text_is_the_operators_and_carries_a_version(tmp_path: Path) -> None:
    assert "查询内容" in load_settings(EXAMPLE).consent.text
    loaded = load_settings(
        write(tmp_path, MINIMAL + '[consent]\nversion = "v2"\ntext = "只查询本人信息。"\n')
    )
    assert (loaded.consent.version, loaded.consent.text) == ("v2", "只查询本人信息。")
    with pytest.raises(ConfigError, match=r"^consent\.version"):
        load_settings(write(tmp_path, MINIMAL + '[consent]\nversion = "第二版"\n'))


def test_the_face_check_is_off_unless_enabled_and_its_camera_options_are_typed(
    tmp_path: Path,
) -> None:
    assert load_settings(write(tmp_path, MINIMAL)).face_check.enabled is False
    loaded = load_settings(
        write(
            tmp_path,
            MINIMAL
            + "[face_check]\nenabled = true\nattempts = 2\n"
            + '[camera]\ndriver = "v4l2"\n[camera.options]\ndevice = "/dev/video2"\n',
        )
    )
    assert loaded.face_check.enabled and loaded.face_check.attempts == 2
    assert isinstance(loaded.camera.options, V4l2CameraOptions)
    assert loaded.camera.options.device == "/dev/video2"
    with pytest.raises(ConfigError, match=r"^face_check: unknown keys \['liveness'\]$"):
        load_settings(write(tmp_path, MINIMAL + "[face_check]\nliveness = true\n"))
    with pytest.raises(ConfigError, match=r"^camera\.options\.fps: must be more than 0"):
        load_settings(write(tmp_path, MINIMAL + "[camera]\n[camera.options]\nfps = 0.0\n"))
