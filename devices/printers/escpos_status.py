"""What an ESC/POS printer says about itself: replies to ``DLE EOT n`` real-time status queries.

Pure functions, no I/O. A printer answers each query with one byte of the fixed pattern
``0xx1xx10`` (bits 0 and 7 clear, bits 1 and 4 set); a byte without that pattern is not a
status (late data, noise) and counts as no answer. No answer is UNKNOWN, never OK.

- ``DLE EOT 1`` printer status: bit 3 set = offline.
- ``DLE EOT 2`` offline cause: bit 2 cover open, bit 5 printing stopped at paper end,
  bit 6 an error occurred.
- ``DLE EOT 4`` roll paper sensor: bits 2/3 near end, bits 5/6 paper end. Epson sets both
  bits of a pair; some Chinese printers set one, so either bit counts.
"""

from __future__ import annotations

from collections.abc import Mapping

from devices.base import Cover, Paper
from devices.printers.base import PrinterStatus

DLE_EOT = b"\x10\x04"
PRINTER = 1
OFFLINE_CAUSE = 2
PAPER = 4
QUERIES = (PRINTER, OFFLINE_CAUSE, PAPER)
"""The queries a status check sends, in order."""

STATUS_MASK = 0b1001_0011
STATUS_PATTERN = 0b0001_0010

OFFLINE_BIT = 0x08
COVER_OPEN_BIT = 0x04
PAPER_END_STOP_BIT = 0x20
NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60


def query(n: int) -> bytes:
    """The bytes of ``DLE EOT n``."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT {n} is not a status query")
    return DLE_EOT + bytes([n])


def status_byte(reply: bytes | None) -> int | None:
    """The first byte of ``reply`` that has the shape of a status byte, if any."""
    for value in reply or b"":
        if value & STATUS_MASK == STATUS_PATTERN:
            return value
    return None


def _paper(paper: int | None, offline_cause: int | None) -> Paper:
    if offline_cause is not None and offline_cause & PAPER_END_STOP_BIT:
        return Paper.OUT
    if paper is None:
        return Paper.UNKNOWN
    if paper & PAPER_END_BITS:
        return Paper.OUT
    if paper & NEAR_END_BITS:
        return Paper.LOW
    return Paper.OK


def decode_status(
    printer: bytes | None, offline_cause: bytes | None, paper: bytes | None
) -> PrinterStatus:
    """Sensor values from the raw replies to ``DLE EOT 1``, ``2`` and ``4`` (None: silence).

    Never raises: any bytes, or none, give a status. The jam sensor is not part of these
    replies (NOT_SUPPORTED); neither is toner (thermal printers have none).
    """
    printer_bits = status_byte(printer)
    cause_bits = status_byte(offline_cause)
    paper_bits = status_byte(paper)
    online = None if printer_bits is None else not printer_bits & OFFLINE_BIT
    if cause_bits is None:
        cover = Cover.UNKNOWN
    else:
        cover = Cover.OPEN if cause_bits & COVER_OPEN_BIT else Cover.CLOSED
    return PrinterStatus(_paper(paper_bits, cause_bits), cover, online)


def decode_replies(replies: Mapping[int, bytes | None]) -> PrinterStatus:
    """``decode_status`` for replies keyed by query number; a missing key is silence."""
    return decode_status(replies.get(PRINTER), replies.get(OFFLINE_CAUSE), replies.get(PAPER))


def encode_status(
    *,
    offline: bool = False,
    cover_open: bool = False,
    paper_end_stop: bool = False,
    near_end: bool = False,
    paper_end: bool = False,
) -> dict[int, int]:
    """The status bytes a printer in this condition answers, per query (for simulators)."""
    printer = STATUS_PATTERN | (OFFLINE_BIT if offline else 0)
    cause = STATUS_PATTERN
    cause |= COVER_OPEN_BIT if cover_open else 0
    cause |= PAPER_END_STOP_BIT if paper_end_stop else 0
    roll = STATUS_PATTERN
    roll |= NEAR_END_BITS if near_end else 0
    roll |= PAPER_END_BITS if paper_end else 0
    return {PRINTER: printer, OFFLINE_CAUSE: cause, PAPER: roll}
