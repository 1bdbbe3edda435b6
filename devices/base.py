"""What every device driver shares: lifecycle states, sensor values, health checks, errors.

Modelled on UnifiedPOS: a device is opened and closed, reports a coarse ``state``, answers
``status()`` with typed sensor values, and can check its own health at three levels.
A missing answer from hardware is ``UNKNOWN``, never ``OK``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class DeviceState(enum.Enum):
    CLOSED = "closed"
    IDLE = "idle"
    BUSY = "busy"
    ERROR = "error"
    OFFLINE = "offline"


class Paper(enum.Enum):
    OK = "ok"
    LOW = "low"
    OUT = "out"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class Cover(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class Jam(enum.Enum):
    CLEAR = "clear"
    JAMMED = "jammed"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class Toner(enum.Enum):
    OK = "ok"
    LOW = "low"
    EMPTY = "empty"
    UNKNOWN = "unknown"
    NOT_SUPPORTED = "not_supported"


class HealthLevel(enum.Enum):
    INTERNAL = "internal"
    """No physical effect: the driver checks what it can without moving anything."""
    EXTERNAL = "external"
    """May print a test slip or need a card on the reader."""
    INTERACTIVE = "interactive"
    """A technician answers prompts."""


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    text: str
    details: dict[str, str] = field(default_factory=dict)


class DeviceError(Exception):
    """A device failure with what a technician needs to act on it.

    ``code`` is stable (used in logs, the outbox and on the technician screen);
    ``message`` says what happened; ``technician_hint`` says what to check.
    None of them may contain personal data.
    """

    code = "device_error"
    job_kept = False
    """True when a print job was under way and is not lost: it finishes once the fault is
    fixed (a receipt from the thermal printer's buffer; an A4 job kept encrypted by the kiosk,
    ``devices.printers.kept_jobs``)."""

    def __init__(self, message: str, technician_hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.technician_hint = technician_hint

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DeviceError):
    code = "not_found"


class Busy(DeviceError):
    code = "busy"


class PaperOut(DeviceError):
    code = "paper_out"


class CoverOpen(DeviceError):
    code = "cover_open"


class PaperJam(DeviceError):
    code = "paper_jam"


class Timeout(DeviceError):
    code = "timeout"


class PrintCancelled(Timeout):
    """A print job that would never finish, cancelled so it cannot print later unattended."""

    code = "print_cancelled"


class BadCard(DeviceError):
    code = "bad_card"


class NotSupported(DeviceError):
    code = "not_supported"


class Offline(DeviceError):
    code = "offline"
