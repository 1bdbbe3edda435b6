"""A device's INTERNAL health check, as the heartbeat and the print choice see it."""

from __future__ import annotations

import datetime as dt
import logging

from devices.base import HealthLevel
from devices.camera.base import Camera
from devices.idcard.reader import IdCardReader
from devices.printers.base import DocumentPrinter, ReceiptPrinter
from kiosk.contract import DeviceHealth

log = logging.getLogger(__name__)

Device = IdCardReader | ReceiptPrinter | DocumentPrinter | Camera


def internal_health(name: str, device: Device) -> DeviceHealth:
    """The driver's INTERNAL check (no physical effect) and its last fault. Call it on the
    device's own thread. A check that raises is a failed check, never an error."""
    try:
        report = device.check_health(HealthLevel.INTERNAL)
        ok, text = report.ok, report.text
    except Exception as error:
        log.exception("%s: health check failed", name)
        ok, text = False, f"the health check raised {type(error).__name__}"
    fault = device.last_fault
    return DeviceHealth(
        ok=ok,
        text=text[:2000],
        checked_at=dt.datetime.now(dt.UTC),
        last_fault=fault.code[:64] if fault is not None else None,
    )
