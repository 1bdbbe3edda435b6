"""What a diagnostic check says: plain data the touch screens and the CLI both show.

A ``Check`` is one line on a technician's screen: its ``area`` (one screen per area), a
stable ``name``, a ``Status``, a Chinese ``summary`` for the screen, an English ``detail``
(the driver's own words, codes) and a ``hint`` saying what to do. ``facts`` holds the
values behind it (paper: out, depth: 12, read_ms: 410) for tables and ``--json``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Fact = str | int | float | bool | None


class Status(enum.Enum):
    OK = "ok"
    WARN = "warn"
    """Works, but needs a technician soon (paper low, an old backlog)."""
    FAIL = "fail"
    SKIPPED = "skipped"
    """Not checked: not configured here, or not at this level."""


class Area(enum.StrEnum):
    """One technician screen each; the value is the device's config table where there is one."""

    CARD_READER = "card_reader"
    RECEIPT_PRINTER = "receipt_printer"
    DOCUMENT_PRINTER = "document_printer"
    CAMERA = "camera"
    """Only where the face check is enabled."""
    PLATFORM = "platform"
    OUTBOX = "outbox"
    TERMINAL = "terminal"
    """Service state, cached content, disk, version and update, logs."""


AREA_TITLES = {
    Area.CARD_READER: "身份证读卡器",
    Area.RECEIPT_PRINTER: "凭条打印机",
    Area.DOCUMENT_PRINTER: "A4 打印机",
    Area.CAMERA: "摄像头",
    Area.PLATFORM: "信用平台连接",
    Area.OUTBOX: "待上报数据",
    Area.TERMINAL: "终端",
}
STATUS_TITLES = {
    Status.OK: "正常",
    Status.WARN: "注意",
    Status.FAIL: "故障",
    Status.SKIPPED: "未检查",
}


@dataclass(frozen=True)
class Check:
    area: Area
    name: str
    """Stable within the area (``paper``, ``health_internal``, ``dns``…): tests and scripts
    key on it."""
    status: Status
    summary: str
    """One line in Chinese for the screen."""
    detail: str = ""
    """What the driver or the system said (English, no personal data)."""
    hint: str = ""
    """What the technician should do about it."""
    facts: Mapping[str, Fact] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "area": self.area.value,
            "name": self.name,
            "status": self.status.value,
            "summary": self.summary,
            "detail": self.detail,
            "hint": self.hint,
            "facts": dict(self.facts),
        }


def summary_ok(checks: Iterable[Check]) -> bool:
    """Green: nothing failed and nothing needs attention (skipped checks do not count)."""
    return all(check.status in (Status.OK, Status.SKIPPED) for check in checks)


def worst(checks: Iterable[Check]) -> Status:
    """The status a summary tile shows for these checks."""
    found = {check.status for check in checks}
    for status in (Status.FAIL, Status.WARN, Status.OK):
        if status in found:
            return status
    return Status.SKIPPED


def by_area(checks: Iterable[Check]) -> dict[Area, list[Check]]:
    grouped: dict[Area, list[Check]] = {}
    for check in checks:
        grouped.setdefault(check.area, []).append(check)
    return grouped


@dataclass(frozen=True)
class Question:
    """What an INTERACTIVE check asks the technician, with the two answers to offer."""

    text: str
    yes: str = "正常"
    no: str = "有问题"


Ask = Callable[[Question], bool]
"""Asks the technician (the CLI on stdin, the touch UI with two buttons); True for ``yes``.
Called on the thread that runs the checks: a UI blocks that worker, never its GUI thread."""
