"""What a printer's sensors mean for a job: which ones stop it, which ones only need attention.

Shared by the real drivers so a thermal printer and an A4 printer raise the same errors for
the same sensor values. Messages and hints are for technicians (English, no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.base import (
    Cover,
    CoverOpen,
    DeviceError,
    Jam,
    Offline,
    Paper,
    PaperJam,
    PaperOut,
    Toner,
)
from devices.printers.base import PrinterStatus


@dataclass(frozen=True)
class Attention:
    """A sensor value that does not stop printing but needs a technician soon."""

    code: str
    message: str
    hint: str


def blocking_fault(
    status: PrinterStatus, paper_hint: str, when: str, kept_hint: str = ""
) -> DeviceError | None:
    """The error a job meets with these sensor values, or None when nothing stops it.

    ``when`` says where the job was ("before the job", "during the job") for the message.
    ``kept_hint`` (what becomes of the interrupted job) marks a job that was sent and stays
    with the printer: it is added to the hint and the error's ``job_kept`` is set. Order
    matters: a printer out of paper also reports itself offline, and the resident and the
    technician should hear the cause, not the symptom.
    """
    fault: DeviceError
    if status.paper is Paper.OUT:
        fault = PaperOut(f"printer is out of paper {when}", paper_hint)
    elif status.cover is Cover.OPEN:
        fault = CoverOpen(f"printer cover is open {when}", "close the printer cover")
    elif status.jam is Jam.JAMMED:
        fault = PaperJam(f"paper jam {when}", "open the printer and remove the jammed paper")
    elif status.online is False:
        fault = Offline(
            f"printer is offline {when}",
            "check the printer's power, cable and error light; press its feed/online button",
        )
    else:
        return None
    if kept_hint:
        fault.technician_hint = f"{fault.technician_hint}; {kept_hint}"
        fault.job_kept = True
    return fault


def attention(status: PrinterStatus) -> list[Attention]:
    """Supplies running low: printing goes on, the technician should replace them soon."""
    found = []
    if status.paper is Paper.LOW:
        found.append(Attention("paper_low", "paper near end", "load a new paper roll or paper"))
    if status.toner is Toner.LOW:
        found.append(Attention("toner_low", "toner low", "replace the toner cartridge soon"))
    if status.toner is Toner.EMPTY:
        found.append(Attention("toner_empty", "toner empty", "replace the toner cartridge"))
    return found


def describe_status(status: PrinterStatus) -> dict[str, str]:
    """Sensor values as text for health reports and the technician screen."""
    online = "unknown" if status.online is None else str(status.online).lower()
    return {
        "paper": status.paper.value,
        "cover": status.cover.value,
        "online": online,
        "jam": status.jam.value,
        "toner": status.toner.value,
    }
