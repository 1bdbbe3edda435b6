"""Typed settings from one TOML file; unknown keys are an error.

Each field's docstring is its documentation; ``config/kiosk.example.toml`` shows every key.
The file is converted strictly with msgspec (no "false" for a bool, no string for a number),
each device's ``options`` table into its driver's own options dataclass, and any mistake is
one ``ConfigError`` line naming the key.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import stat
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec

from devices.base import NotSupported
from devices.registry import (
    CAMERAS,
    DOCUMENT_PRINTERS,
    READERS,
    RECEIPT_PRINTERS,
    options_type,
)
from kiosk.technician import parse_pin_hash

DEFAULT_CONFIG_PATH = Path("/etc/taihaoban-kiosk/kiosk.toml")
DEFAULT_STATE_DIR = Path("/var/lib/taihaoban-kiosk")
DRIVERS = {
    "card_reader": READERS,
    "receipt_printer": RECEIPT_PRINTERS,
    "document_printer": DOCUMENT_PRINTERS,
    "camera": CAMERAS,
}
"""Each device's config table and the drivers it may name."""

Seconds = Annotated[float, msgspec.Meta(gt=0)]
T = typing.TypeVar("T")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class TerminalSettings:
    id: str
    """Terminal identifier the platform knows this terminal by (X-Terminal-Id)."""
    secret_file: Path
    """File holding the terminal's HMAC secret (hex), owned by root or the kiosk user, no
    access for others and not group-writable (``read_secret``); the kiosk re-reads it when
    it changes (docs/secret-rotation.md)."""
    hall_name: str = "新泰市政务服务中心"
    """Service-hall name shown on the attract screen."""
    state_dir: Path = DEFAULT_STATE_DIR
    """Where the SQLite outbox and caches live; the kiosk writes nowhere else."""
    service_window: str = ""
    """The hall's window residents go to when the terminal is out of service, e.g. "3号窗口"
    (empty: the screen says 服务窗口)."""
    health_check_interval_s: Seconds = 60.0
    """Seconds between INTERNAL health checks of each device (printers also before the
    print choice is shown)."""


@dataclass(frozen=True)
class PlatformSettings:
    base_url: str
    """Credit platform API base URL: ``https://`` (plain ``http://`` only to a loopback
    address: demo mode and tests)."""
    connect_timeout_s: Seconds = 3.05
    """Seconds to wait for a TCP connection."""
    read_timeout_s: Seconds = 10.0
    """Seconds to wait for a reply once connected."""
    retries: Annotated[int, msgspec.Meta(ge=0)] = 2
    """Extra attempts for idempotent requests after a connection failure."""
    probe_interval_s: Seconds = 15.0
    """Seconds between reachability probes; the outage banner follows within this time."""
    content_refresh_s: Seconds = 600.0
    """Seconds between refreshes of the cached notices and list publicity."""
    ca_file: Path | None = None
    """The platform's CA certificate (PEM): when set, only server certificates it signed are
    accepted (the CA is pinned); unset, the CA bundle shipped with ``requests`` (certifi)."""


@dataclass(frozen=True)
class DeviceSettings:
    driver: str = "simulated"
    """Driver name, e.g. ``simulated`` (``devices.registry``)."""
    options: Any = field(default_factory=dict)
    """The driver's options: a table in the file; once loaded, the driver's own options
    dataclass (e.g. ``devices.idcard.pcsc.PcscOptions``, its fields documented there)."""


@dataclass(frozen=True)
class SessionSettings:
    reading_timeout_s: Seconds = 15.0
    """Seconds allowed for reading the card."""
    authenticating_timeout_s: Seconds = 20.0
    """Seconds allowed for opening the resident session on the platform."""
    fetching_timeout_s: Seconds = 30.0
    """Seconds allowed for fetching the report."""
    enterprise_code_timeout_s: Seconds = 120.0
    """Seconds of no touch on the 统一社会信用代码 keyboard (enterprise report) before the
    session ends."""
    showing_idle_timeout_s: Seconds = 90.0
    """Seconds of no touch on the report before the session ends."""
    printing_timeout_s: Seconds = 90.0
    """Seconds allowed for printing."""
    done_timeout_s: Seconds = 15.0
    """Seconds the done screen stays before the attract screen returns."""
    failed_timeout_s: Seconds = 20.0
    """Seconds a failure message stays before the attract screen returns."""
    consent_timeout_s: Seconds = 90.0
    """Seconds of no touch on the consent (查询授权) screen before "还需要更多时间吗？"."""
    still_there_s: Seconds = 20.0
    """Seconds "还需要更多时间吗？" waits for a touch (on the consent screen, the report or
    the print choice) before the session ends."""
    card_grace_s: Seconds = 5.0
    """Seconds a resident has to lay the same card back after lifting it while reading
    the consent, the report or the print choice (请在 N 秒内放回身份证)."""
    elder_factor: Annotated[float, msgspec.Meta(ge=1)] = 2.0
    """In 长辈模式 the resident's own limits (consent, report, prompt, grace period) are
    this many times longer; the machine's own limits stay."""
    print_paused_timeout_s: Seconds = 900.0
    """Seconds a print stopped for paper out waits for staff to load paper (the report kept,
    the print resumes by itself) before the session ends."""
    face_check_timeout_s: Seconds = 60.0
    """Seconds allowed for each step of the face check: reading the face consent, then
    each attempt (guidance, blink, the platform's comparison)."""


DEFAULT_CONSENT_TEXT = (
    "查询内容：您本人的公共信用信息报告（行政许可、行政处罚、失信惩戒、守信激励等公开信息）。\n"
    "查询机构：由本机代您向新泰市公共信用信息平台查询，平台由新泰市社会信用中心管理。\n"
    "保存内容：本机不保存您的姓名、身份证号码和报告，查询结束即清除；"
    "平台记录本次查询的时间、终端编号和部分隐去的证件号码，以备核查。\n"
    "点击“同意”即表示您本人授权本次查询。"
)


@dataclass(frozen=True)
class ConsentSettings:
    """The 查询授权 text a resident agrees to before the platform is asked about them."""

    version: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z._-]{1,32}$")] = "2026-12-01"
    """Identifies the text: every consent the platform records names it. Change it whenever
    the text changes."""
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] = DEFAULT_CONSENT_TEXT
    """What is queried, by whom, and what is kept; one paragraph per line."""


@dataclass(frozen=True)
class ResidentSettings:
    """How the kiosk helps a resident through: voice prompts, 长辈模式, print guidance."""

    voice_dir: Path | None = None
    """The voice pack: one ``<prompt key>.wav`` per prompt (``taihaoban-kiosk voice-pack``
    renders them; a recorded file of the same name replaces one). Unset: ``voice/`` under
    the terminal's ``state_dir``."""
    voice_volume: Annotated[int, msgspec.Meta(ge=0, le=3)] = 2
    """The volume each session starts with: 0 mute, 1 low, 2 medium, 3 loud."""
    a4_paper_exit: str = "下方出纸口"
    """Where the A4 report comes out, as the print choice tells the resident."""
    receipt_paper_exit: str = "下方出纸口"
    """Where the receipt comes out."""
    a4_first_page_s: Seconds = 20.0
    """The A4 printer's seconds for the first page (warm-up included): the time estimate."""
    a4_page_s: Seconds = 4.0
    """The A4 printer's seconds for each further page."""
    receipt_s: Seconds = 10.0
    """The receipt printer's seconds for a receipt."""


@dataclass(frozen=True)
class FaceCheckSettings:
    enabled: bool = False
    """Compare the resident's face with the card holder's (人证核验) before the report:
    needs a camera (``[camera]``). Off: identity is checked by the card only, and the
    consent step says so."""
    attempts: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3
    """Attempts before the resident is sent to the window."""
    blink_within_s: Seconds = 4.0
    """The liveness challenge: eyes open, closed, open again within this many seconds."""


@dataclass(frozen=True)
class TechnicianSettings:
    pin_hash: str = ""
    """The technician PIN as a salted scrypt hash, ``scrypt$n$r$p$salt$hash``
    (``taihaoban-kiosk technician-pin`` prints the line). Empty: technician mode cannot be
    opened on the screen (``taihaoban-kiosk diag`` over SSH still works)."""
    idle_timeout_s: Seconds = 120.0
    """Seconds without a touch after which technician mode leaves by itself."""


@dataclass(frozen=True)
class UpdaterSettings:
    repository_url: str
    """Base URL of the TUF repository (``<url>/metadata/``, ``<url>/targets/``)."""
    trusted_root: Path = Path("/etc/taihaoban-kiosk/tuf-root.json")
    """The repository's root metadata shipped by the install: the one trust anchor (never
    trusted on first use)."""
    install_root: Path = Path("/opt/taihaoban-kiosk")
    """Where ``releases/<version>/``, the ``current`` and ``previous`` links and the wheel
    cache live."""
    python: Path = Path("/usr/bin/python3.11")
    """The system Python each release's virtualenv is built with."""
    poll_interval_s: Seconds = 3600.0
    """Seconds between update checks: the update timer's period (the unit runs ``update run``
    once per tick); ``update status`` reports a check overdue after twice this long."""
    poll_jitter_s: Annotated[float, msgspec.Meta(ge=0)] = 600.0
    """Up to this many seconds of random delay before a check, so 92 terminals do not
    reach the repository at once."""
    maintenance_window: Annotated[str, msgspec.Meta(pattern=r"^\d\d:\d\d-\d\d:\d\d$")] = (
        "02:00-05:00"
    )
    """China time, "HH:MM-HH:MM" (may span midnight; "00:00-00:00" is all day): downloads and
    installs happen only inside it."""
    commit_after_s: Seconds = 300.0
    """A new release is committed once it has been ready, healthy and feeding the watchdog
    for this long."""
    max_start_attempts: Annotated[int, msgspec.Meta(ge=1)] = 3
    """Starts a new release gets to become healthy before the terminal switches back."""
    restart_command: tuple[str, ...] = ("systemctl", "restart", "taihaoban-kiosk.service")
    """What restarts the kiosk after a switch (run without a shell)."""
    keep_releases: Annotated[int, msgspec.Meta(ge=2)] = 3
    """Releases kept on disk: the current one and the ones before it."""
    request_timeout_s: Seconds = 30.0
    """Seconds without a byte before a repository download is given up."""


@dataclass(frozen=True)
class Settings:
    terminal: TerminalSettings
    platform: PlatformSettings
    card_reader: DeviceSettings = field(default_factory=DeviceSettings)
    """The identity-card reader."""
    receipt_printer: DeviceSettings = field(default_factory=DeviceSettings)
    """The thermal (ESC/POS) printer."""
    document_printer: DeviceSettings = field(default_factory=DeviceSettings)
    """The A4 printer."""
    camera: DeviceSettings = field(default_factory=DeviceSettings)
    """The camera in front of the resident (used only when ``[face_check]`` is enabled)."""
    face_check: FaceCheckSettings = field(default_factory=FaceCheckSettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    consent: ConsentSettings = field(default_factory=ConsentSettings)
    resident: ResidentSettings = field(default_factory=ResidentSettings)
    technician: TechnicianSettings = field(default_factory=TechnicianSettings)
    updater: UpdaterSettings | None = None
    """Signed updates (``kiosk/updater``); a terminal without this section never updates."""
    demo: bool = False
    """Demo mode: shows the demo-card control. Never true on a terminal in a service hall."""


def _path(kind: type, value: Any) -> Any:
    """msgspec's hook for the one type it does not convert itself: a TOML string as a Path."""
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise TypeError(f"Expected `{kind.__name__}`, got `{type(value).__name__}`")


def _refuse_unknown_keys(table: Any, kind: type, where: str) -> None:
    """msgspec ignores unknown keys when it fills a dataclass: refuse them here."""
    if not isinstance(table, dict):
        return  # the conversion says what is wrong with it
    hints = typing.get_type_hints(kind)
    fields = {f.name for f in dataclasses.fields(kind)}
    unknown = set(table) - fields
    if unknown:
        raise ConfigError(f"{where or 'top level'}: unknown keys {sorted(unknown)}")
    for name in fields & set(table):
        for member in typing.get_args(hints[name]) or (hints[name],):  # X | None: X
            if isinstance(member, type) and dataclasses.is_dataclass(member):
                _refuse_unknown_keys(table[name], member, f"{where}.{name}".lstrip("."))


def _config_error(error: msgspec.ValidationError, where: str) -> ConfigError:
    """One line naming the key: ``platform.retries: expected int, got str``."""
    message, _, path = str(error).partition(" - at `$")
    path = path.removesuffix("`")
    missing = re.fullmatch(r"Object missing required field `(.+)`", message)
    if missing:
        path, message = f"{path}.{missing[1]}", "required"
    named = re.match(r"([a-z_]+): (.*)", message)  # the options' own checks name the key
    if named:
        path, message = f"{path}.{named[1]}", named[2]
    key = f"{where}{path}".lstrip(".") or "top level"
    message = message.replace("`", "")
    return ConfigError(f"{key}: {message[:1].lower()}{message[1:]}")


def _convert(table: Any, kind: type[T], where: str) -> T:
    """``table`` (from TOML) as ``kind``, strictly: no unknown keys, no "false" for a bool."""
    _refuse_unknown_keys(table, kind, where)
    try:
        return msgspec.convert(table, kind, strict=True, dec_hook=_path)
    except msgspec.ValidationError as error:
        raise _config_error(error, where) from None


def device_settings(kind: str, driver: str, options: dict[str, Any]) -> DeviceSettings:
    """A device's settings with ``options`` converted into the driver's options dataclass.

    ``kind`` is the device's config table (``card_reader``, ``receipt_printer``,
    ``document_printer``). Raises ConfigError naming the key.
    """
    try:
        model = options_type(DRIVERS[kind], driver)
    except NotSupported as error:
        raise ConfigError(f"{kind}.driver: {error.message}; {error.technician_hint}") from None
    return DeviceSettings(driver, _convert(options, model, f"{kind}.options"))


def _typed_options(kind: str, device: DeviceSettings) -> DeviceSettings:
    return device_settings(kind, device.driver, device.options)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_platform(platform: PlatformSettings) -> None:
    """Residents' data leaves the terminal encrypted: HTTPS, except to this machine itself."""
    url = urlsplit(platform.base_url)
    if url.scheme == "https" and url.hostname:
        return
    if url.scheme == "http" and is_loopback(url.hostname or ""):
        return
    raise ConfigError(
        "platform.base_url: must be https:// (plain http:// is allowed to loopback only)"
    )


def settings_from_dict(data: dict[str, Any]) -> Settings:
    settings = _convert(data, Settings, "")
    _check_platform(settings.platform)
    if settings.technician.pin_hash:
        try:
            parse_pin_hash(settings.technician.pin_hash)
        except ValueError as error:
            raise ConfigError(f"technician.pin_hash: {error}") from None
    return dataclasses.replace(
        settings,
        card_reader=_typed_options("card_reader", settings.card_reader),
        receipt_printer=_typed_options("receipt_printer", settings.receipt_printer),
        document_printer=_typed_options("document_printer", settings.document_printer),
        camera=_typed_options("camera", settings.camera),
    )


@dataclass(frozen=True)
class PartialSettings:
    """A configuration read for a technician's command, which may need only one section:
    each section is None (devices: absent) when the file does not have it. A complete file
    (with [terminal] and [platform]) is read exactly as the kiosk reads it, devices
    without a section included (the default driver)."""

    terminal: TerminalSettings | None = None
    platform: PlatformSettings | None = None
    devices: dict[str, DeviceSettings] = field(default_factory=dict)
    """By config table (``card_reader``, ``receipt_printer``, ``document_printer``,
    ``camera``)."""
    updater: UpdaterSettings | None = None


def partial_settings_from_dict(data: dict[str, Any]) -> PartialSettings:
    if "terminal" in data and "platform" in data:
        full = settings_from_dict(data)
        devices = {kind: getattr(full, kind) for kind in DRIVERS}
        if not full.face_check.enabled:
            del devices["camera"]  # a terminal without the face check has no camera to check
        return PartialSettings(full.terminal, full.platform, devices, full.updater)
    _refuse_unknown_keys(data, Settings, "")
    platform = (
        _convert(data["platform"], PlatformSettings, "platform") if "platform" in data else None
    )
    if platform is not None:
        _check_platform(platform)
    return PartialSettings(
        terminal=_convert(data["terminal"], TerminalSettings, "terminal")
        if "terminal" in data
        else None,
        platform=platform,
        devices={
            kind: _typed_options(kind, _convert(data[kind], DeviceSettings, kind))
            for kind in DRIVERS
            if kind in data
        },
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def load_partial_settings(path: Path) -> PartialSettings:
    return partial_settings_from_dict(_read_toml(path))


def load_settings(path: Path) -> Settings:
    return settings_from_dict(_read_toml(path))


def check_secret_file(path: Path, status: os.stat_result) -> None:
    """Refuse a secret file others may read or anyone but root may change.

    Owner root or the kiosk's own user; group read allowed, because the installer gives the
    root-owned file to the kiosk's group (0640 root:kiosk) so that only root can change it;
    no access for others, no group write. No flag relaxes this, not even for tests: a flag
    can be left on in a service hall, and a test writes its file 0600 as easily.
    """
    problems = []
    if status.st_uid not in (0, os.geteuid()):
        problems.append(f"owned by uid {status.st_uid}, not root or this user")
    if status.st_mode & (stat.S_IRWXO | stat.S_IWGRP):
        problems.append(f"mode {stat.S_IMODE(status.st_mode):04o} lets others in")
    if problems:
        raise ConfigError(
            f"terminal.secret_file: {path}: {', '.join(problems)}; "
            "chown root:<kiosk group> and chmod 0640 (or 0600) it"
        )


def read_secret(path: Path) -> bytes:
    """The terminal secret from ``path``, checked by ``check_secret_file``."""
    try:
        with path.open("rb") as file:
            status, text = os.fstat(file.fileno()), file.read()
    except OSError:
        raise ConfigError(f"{path}: terminal secret missing or unreadable") from None
    check_secret_file(path, status)
    try:
        return bytes.fromhex(text.decode("ascii").strip())
    except ValueError:
        raise ConfigError(f"{path}: terminal secret is not hex") from None
