"""What CUPS says about a printer: printer-state-reasons → sensor values (pure, no I/O).

CUPS lists what is wrong (``media-empty-error``, ``door-open-warning``, ``toner-low-report``,
…); the suffix gives the severity and is dropped here. A reason it does not list is taken
as fine: its answer is the evidence. No answer at all is UNKNOWN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from devices.base import Cover, Jam, Paper, Toner
from devices.printers.base import PrinterStatus

_SUFFIX = re.compile(r"-(error|warning|report)$")


def keywords(value: Any) -> list[str]:
    """A keyword attribute as a list, whether pycups gave one string or a list."""
    if value is None:
        return []
    values: Iterable[Any] = [value] if isinstance(value, str) else value
    return [str(v) for v in values]


def reason_keywords(reasons: Any) -> set[str]:
    """printer-state-reasons without their -error/-warning/-report suffix; "none" dropped."""
    return {_SUFFIX.sub("", r) for r in keywords(reasons)} - {"none", ""}


def status_from_attributes(attributes: Mapping[str, Any]) -> PrinterStatus:
    """Sensor values from a Get-Printer-Attributes answer (printer-state-reasons).

    CUPS lists what is wrong; a reason it does not list is taken as fine (its answer is
    the evidence). Never raises: odd values give UNKNOWN where they matter.
    """
    if "printer-state-reasons" not in attributes:
        return PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, None, Jam.UNKNOWN, Toner.UNKNOWN)
    try:
        found = reason_keywords(attributes["printer-state-reasons"])
    except TypeError:
        return PrinterStatus(Paper.UNKNOWN, Cover.UNKNOWN, None, Jam.UNKNOWN, Toner.UNKNOWN)
    if found & {"media-empty", "media-needed"}:
        paper = Paper.OUT
    elif "media-low" in found:
        paper = Paper.LOW
    else:
        paper = Paper.OK
    cover = Cover.OPEN if found & {"door-open", "cover-open", "interlock-open"} else Cover.CLOSED
    jam = Jam.JAMMED if found & {"media-jam", "jam"} else Jam.CLEAR
    if found & {"toner-empty", "marker-supply-empty"}:
        toner = Toner.EMPTY
    elif found & {"toner-low", "marker-supply-low"}:
        toner = Toner.LOW
    else:
        toner = Toner.OK
    online = not found & {"offline", "shutdown"}
    return PrinterStatus(paper, cover, online, jam, toner)
