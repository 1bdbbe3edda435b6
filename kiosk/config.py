"""Typed settings from one TOML file; unknown keys are an error.

Each field's docstring is its documentation; ``config/kiosk.example.toml`` shows every key.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG_PATH = Path("/etc/taihaoban-kiosk/kiosk.toml")
DEFAULT_STATE_DIR = Path("/var/lib/taihaoban-kiosk")


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


@dataclass(frozen=True)
class PlatformSettings:
    base_url: str
    """Credit platform API base URL."""
    connect_timeout_s: float = 3.05
    """Seconds to wait for a TCP connection."""
    read_timeout_s: float = 10.0
    """Seconds to wait for a reply once connected."""
    retries: int = 2
    """Extra attempts for idempotent requests after a connection failure."""
    probe_interval_s: float = 15.0
    """Seconds between reachability probes; the outage banner follows within this time."""
    content_refresh_s: float = 600.0
    """Seconds between refreshes of the cached notices and list publicity."""


@dataclass(frozen=True)
class DeviceSettings:
    driver: str = "simulated"
    """Driver module name, e.g. ``simulated``."""
    options: dict[str, Any] = field(default_factory=dict)
    """Driver options; each driver validates its own and rejects unknown ones."""


@dataclass(frozen=True)
class SessionSettings:
    reading_timeout_s: float = 15.0
    """Seconds allowed for reading the card."""
    authenticating_timeout_s: float = 20.0
    """Seconds allowed for opening the resident session on the platform."""
    fetching_timeout_s: float = 30.0
    """Seconds allowed for fetching the report."""
    showing_idle_timeout_s: float = 90.0
    """Seconds of no touch on the report before the session ends."""
    printing_timeout_s: float = 90.0
    """Seconds allowed for printing."""
    done_timeout_s: float = 15.0
    """Seconds the done screen stays before the attract screen returns."""
    failed_timeout_s: float = 20.0
    """Seconds a failure message stays before the attract screen returns."""


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
    session: SessionSettings = field(default_factory=SessionSettings)
    demo: bool = False
    """Demo mode: shows the demo-card control. Never true on a terminal in a service hall."""


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table")
        return _build(hint, value, where)  # type: ignore[arg-type]
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a path string")
        return Path(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number")
        return float(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table")
        return dict(value)
    if origin in (types.UnionType, typing.Union):
        raise ConfigError(f"{where}: unsupported type")
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise ConfigError(f"{where}: expected {hint.__name__}")
    return value


def _build(cls: type[Any], data: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        raise ConfigError(f"{where or 'top level'}: unknown keys {sorted(unknown)}")
    kwargs = {}
    for name, f in fields.items():
        path = f"{where}.{name}" if where else name
        if name in data:
            kwargs[name] = _convert(data[name], hints[name], path)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{path}: required")
    return cls(**kwargs)


def settings_from_dict(data: dict[str, Any]) -> Settings:
    settings: Settings = _build(Settings, data, "")
    return settings


def load_settings(path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return settings_from_dict(data)


def read_secret(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        raise ConfigError(f"{path}: terminal secret missing or not hex") from None
