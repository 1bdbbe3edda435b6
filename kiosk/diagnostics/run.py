"""All the checks at once: the summary screen and ``taihaoban-kiosk diag``."""

from __future__ import annotations

from devices.base import HealthLevel
from kiosk.diagnostics.actions import record_action
from kiosk.diagnostics.checks import Area, Ask, Check
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import DEVICE_AREAS
from kiosk.diagnostics.device_checks import device_checks
from kiosk.diagnostics.kept_jobs import kept_jobs_check
from kiosk.diagnostics.outbox_checks import outbox_checks
from kiosk.diagnostics.platform_checks import platform_checks
from kiosk.diagnostics.terminal_checks import terminal_checks


def run_checks(
    diag: Diagnostics, level: HealthLevel = HealthLevel.INTERNAL, ask: Ask | None = None
) -> list[Check]:
    """Every area's checks, devices first. EXTERNAL prints the printers' self-test slips and
    needs a card on the reader; INTERACTIVE also asks the technician (``ask``)."""
    if level is not HealthLevel.INTERNAL:
        record_action(diag, "diagnostics", f"level {level.value}")
    checks: list[Check] = []
    for area in DEVICE_AREAS:
        if area is Area.CAMERA and area not in diag.devices.drivers():
            continue  # only terminals with the face check have one: not a gap elsewhere
        checks += device_checks(diag.devices, area, level, ask)
    checks.append(kept_jobs_check(diag))
    checks += platform_checks(diag)
    checks += outbox_checks(diag)
    checks += terminal_checks(diag)
    return checks
