"""How diagnostics reach a device: on the device's own thread, opened, looked up afresh.

Two ways in, one protocol (``DeviceAccess``): the CLI loads and opens the configured drivers
itself (``LocalDevices``, nothing else runs), while the touch UI goes through the running
terminal, whose worker threads own the devices (``Terminal.call_device``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from devices.base import DeviceError
from devices.printers.kept_jobs import KeptJobStore
from devices.registry import (
    load_camera,
    load_document_printer,
    load_reader,
    load_receipt_printer,
)
from kiosk.config import DeviceSettings
from kiosk.diagnostics.checks import Area
from kiosk.diagnostics.counters import DeviceCounters
from kiosk.health import Device

log = logging.getLogger(__name__)
T = TypeVar("T")

DEVICE_AREAS = (Area.CARD_READER, Area.RECEIPT_PRINTER, Area.DOCUMENT_PRINTER, Area.CAMERA)


class DeviceAccess(Protocol):
    def drivers(self) -> Mapping[Area, str]:
        """The devices configured here and their driver names (device areas only)."""

    def call(self, area: Area, action: Callable[[Any], T], timeout: float) -> T:
        """``action(device)`` on the device's own thread, with the device open.

        Raises DeviceError when the device cannot be loaded or opened, whatever ``action``
        raises, and TimeoutError when no answer came within ``timeout`` seconds.
        """

    def counters(self, area: Area) -> Mapping[str, int] | None:
        """What the device did since the kiosk started (cards read, jobs, cuts, faults);
        None where nobody counted (the CLI opens the devices itself)."""


class LocalDevices:
    """The configured devices, loaded and opened in this process on first use (the CLI).

    Calls run on the caller's thread: the CLI has only the one. ``close()`` closes what was
    opened. ``kept_jobs`` is the store an A4 driver keeps interrupted jobs in.
    """

    def __init__(self, devices: Mapping[Area, DeviceSettings], kept_jobs: KeptJobStore) -> None:
        self._settings = dict(devices)
        self._kept_jobs = kept_jobs
        self._open: dict[Area, Device] = {}

    def drivers(self) -> dict[Area, str]:
        return {area: device.driver for area, device in self._settings.items()}

    def call(self, area: Area, action: Callable[[Any], T], timeout: float) -> T:
        return action(self._device(area))

    def counters(self, area: Area) -> None:
        return None

    def _device(self, area: Area) -> Device:
        if area in self._open:
            return self._open[area]
        settings = self._settings.get(area)
        if settings is None:
            raise DeviceError(f"no {area.value} is configured", f"add a [{area.value}] section")
        device: Device
        if area is Area.CARD_READER:
            device = load_reader(settings.driver, settings.options)
        elif area is Area.RECEIPT_PRINTER:
            device = load_receipt_printer(settings.driver, settings.options)
        elif area is Area.CAMERA:
            device = load_camera(settings.driver, settings.options)
        else:
            device = load_document_printer(settings.driver, settings.options, self._kept_jobs)
        device.open()
        self._open[area] = device
        return device

    def close(self) -> None:
        for area, device in self._open.items():
            try:
                device.close()
            except DeviceError as error:
                log.warning("%s: closing failed: %s", area.value, error)
        self._open.clear()


class RunningTerminal(Protocol):
    """What ``TerminalDevices`` needs of ``kiosk.terminal.Terminal``."""

    counters: DeviceCounters

    def call_device(self, name: str, action: Callable[[Any], T], timeout: float) -> T: ...


class TerminalDevices:
    """The running kiosk's devices, reached through the terminal's own threads (the touch
    UI). ``drivers``: each device's driver name from the settings."""

    def __init__(self, terminal: RunningTerminal, drivers: Mapping[Area, str]) -> None:
        self._terminal = terminal
        self._drivers = dict(drivers)

    def drivers(self) -> dict[Area, str]:
        return dict(self._drivers)

    def call(self, area: Area, action: Callable[[Any], T], timeout: float) -> T:
        return self._terminal.call_device(area.value, action, timeout)

    def counters(self, area: Area) -> dict[str, int]:
        return self._terminal.counters.snapshot(area.value)
