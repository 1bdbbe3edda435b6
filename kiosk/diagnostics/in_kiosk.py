"""Diagnostics of the running kiosk (technician mode on the touch screen)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import read_secret
from kiosk.diagnostics.checks import Area
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import TerminalDevices
from kiosk.runtime import Runtime


def diagnostics_for(runtime: Runtime, log_file: Path | None) -> Diagnostics:
    """``log_file``: where this kiosk logs (``kiosk.logs.kiosk_log_file(state_dir)`` on a
    terminal, the demo's own file in demo mode)."""
    settings = runtime.settings
    drivers = {
        Area.CARD_READER: settings.card_reader.driver,
        Area.RECEIPT_PRINTER: settings.receipt_printer.driver,
        Area.DOCUMENT_PRINTER: settings.document_printer.driver,
    }
    if runtime.terminal.devices.camera is not None:
        drivers[Area.CAMERA] = settings.camera.driver
    return Diagnostics(
        terminal_id=settings.terminal.id,
        devices=TerminalDevices(runtime.terminal, drivers),
        state_dir=settings.terminal.state_dir,
        platform=settings.platform,
        updater=settings.updater,
        secret=read_secret(settings.terminal.secret_file),
        outbox=runtime.outbox,
        log_file=log_file,
        send_outbox=runtime.drainer.nudge,
    )
