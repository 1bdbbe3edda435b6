"""Typed settings from one TOML file; unknown keys are an error.

Each field's docstring is its documentation; ``config/kiosk.example.toml`` shows every key.
The file is converted strictly with msgspec (no "false" for a bool, no string for a number),
each device's ``options`` table into its driver's own options dataclass, and any mistake is
one ``ConfigError`` line naming the key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

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
    """File holding the terminal's HMAC secret (hex); readable by the kiosk user only."""
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
    """Credit platform API base URL."""
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
    showing_idle_timeout_s: Seconds = 90.0
    """Seconds of no touch on the report before the session ends."""
    printing_timeout_s: Seconds = 90.0
    """Seconds allowed for printing."""
    done_timeout_s: Seconds = 15.0
    """Seconds the done screen stays before the attract screen returns."""
    failed_timeout_s: Seconds = 20.0
    """Seconds a failure message stays before the attract screen returns."""
    face_check_timeout_s: Seconds = 60.0
    """Seconds allowed for each step of the face check: reading the face consent, then
    each attempt (guidance, blink, the platform's comparison)."""


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


def settings_from_dict(data: dict[str, Any]) -> Settings:
    settings = _convert(data, Settings, "")
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
    return PartialSettings(
        terminal=_convert(data["terminal"], TerminalSettings, "terminal")
        if "terminal" in data
        else None,
        platform=_convert(data["platform"], PlatformSettings, "platform")
        if "platform" in data
        else None,
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


def read_secret(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        raise ConfigError(f"{path}: terminal secret missing or not hex") from None
