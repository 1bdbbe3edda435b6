"""The pages the report screen shows: the conclusion, a page of a section, one record's
details. Each builder returns a widget; the report screen connects its signals."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.contract import SECTIONS, CreditReport, Section
from kiosk.report_summary import (
    Screen,
    attention_keys,
    conclusion,
    empty_sections,
    section_order,
    summarize_row,
)
from ui.strings import report as text
from ui.widgets import button, card, label

OBJECTABLE = frozenset(s.key for s in SECTIONS) - {"basic"}
"""Any record can be objected to, except the card's own 基础信息."""
REPAIRABLE = frozenset({"admin_penalty", "black_list"})


def under_objection(section: Section) -> tuple[int, ...]:
    """Row indexes the platform says are under objection (the field is optional)."""
    return tuple(getattr(section, "objections", ()))


class RecordRow(QWidget):
    """One record as two short lines, the whole row a touch target."""

    clicked = Signal()

    def __init__(self, section: Section, index: int) -> None:
        super().__init__()
        self.section_key = section.key
        self.index = index
        line = summarize_row(section, index)
        frame = card("recordRow")
        inner = QHBoxLayout(frame)
        inner.setContentsMargins(20, 10, 20, 10)
        inner.setSpacing(16)
        lines = QVBoxLayout()
        lines.setSpacing(2)
        lines.addWidget(label(line.what, "rowWhat"))
        lines.addWidget(
            label(text.ROW_LINE.format(date=line.date, authority=line.authority), "muted")
        )
        inner.addLayout(lines, 1)
        if index in under_objection(section):
            inner.addWidget(label(text.UNDER_OBJECTION, "badgeMuted", wrap=False))
        inner.addWidget(label(text.OPEN_ROW, "rowOpen", wrap=False))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def conclusion_page(
    report: CreditReport,
    service_window: str,
    portrait: bool,
    open_section: Callable[[str], None],
) -> QWidget:
    said = conclusion(report, service_window)
    page = QWidget()
    layout = QVBoxLayout(page) if portrait else QHBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(24)

    box = card("warnCard" if said.needs_attention else "doneCard")
    inner = QVBoxLayout(box)
    inner.setContentsMargins(28, 20, 28, 20)
    inner.setSpacing(10)
    inner.addWidget(label(text.CONCLUSION, "sectionTitle"))
    headline = label(said.headline, "conclusionBad" if said.needs_attention else "conclusionGood")
    inner.addWidget(headline)
    for detail in said.details:
        inner.addWidget(label(detail))
    inner.addWidget(label(text.NEXT_STEPS, "fieldName"))
    for step in said.next_steps:
        inner.addWidget(label(f"• {step}"))
    inner.addStretch(1)
    layout.addWidget(box, 1)

    index = QVBoxLayout()
    index.setSpacing(12)
    index.addWidget(label(text.SECTIONS_TITLE, "fieldName"))
    tiles = QGridLayout()
    tiles.setSpacing(10)
    attention = attention_keys(report)
    for n, section in enumerate(section_order(report)):
        counted = text.RECORDS.format(count=len(section.rows))
        style = "sectionTileWarn" if section.key in attention else "sectionTile"
        tile = button(f"{section.title}  {counted}", style)
        tile.clicked.connect(lambda _=False, key=section.key: open_section(key))
        tiles.addWidget(tile, n // 2, n % 2)
    index.addLayout(tiles)
    empty = empty_sections(report)
    if empty:
        titles = "、".join(s.title for s in empty)
        index.addWidget(label(text.EMPTY_SECTIONS.format(titles=titles), "muted"))
    index.addStretch(1)
    layout.addLayout(index, 1)
    return page


def section_page(
    report: CreditReport, screen: Screen, portrait: bool, open_row: Callable[[str, int], None]
) -> QWidget:
    assert screen.section is not None
    section = report.section(screen.section)
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(12)
    heading = QHBoxLayout()
    heading.setSpacing(24)
    heading.addWidget(label(section.title, "sectionTitle", wrap=False))
    total = len(section.rows)
    if section.key == "basic":
        note = ""
    elif screen.not_shown:
        note = text.LATEST_ONLY.format(count=total, shown=total - screen.not_shown)
    else:
        note = text.SECTION_COUNT.format(count=total)
    heading.addWidget(label(note, "muted"), 1)
    layout.addLayout(heading)

    if section.key == "basic":
        layout.addWidget(_name_value_card([(row[0], row[1]) for row in section.rows]))
        return page
    rows = QHBoxLayout()
    rows.setSpacing(16)
    per_column = len(screen.rows) if portrait else (len(screen.rows) + 1) // 2
    for start in range(0, len(screen.rows), per_column):
        column = QVBoxLayout()
        column.setSpacing(10)
        for index in screen.rows[start : start + per_column]:
            row = RecordRow(section, index)
            row.clicked.connect(lambda key=section.key, i=index: open_row(key, i))
            column.addWidget(row)
        column.addStretch(1)
        rows.addLayout(column, 1)
    if not portrait and len(screen.rows) == 1:
        rows.addStretch(1)  # a lone row keeps the width of a column
    layout.addLayout(rows)
    return page


class RowDetails(QWidget):
    """Every column of one record, with what the resident can do about it."""

    objection = Signal()
    repair = Signal()
    back = Signal()

    def __init__(self, section: Section, index: int) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        heading = QHBoxLayout()
        heading.addWidget(label(text.DETAILS.format(title=section.title), "sectionTitle"), 1)
        if index in under_objection(section):
            heading.addWidget(label(text.UNDER_OBJECTION, "badgeMuted", wrap=False))
        layout.addLayout(heading)
        layout.addWidget(
            _name_value_card(tuple(zip(section.columns, section.rows[index], strict=True)))
        )
        actions = QHBoxLayout()
        actions.setSpacing(16)
        self.back_button = button(text.BACK_TO_LIST, "primary")
        self.back_button.clicked.connect(self.back)
        actions.addWidget(self.back_button)
        actions.addStretch(1)
        self.repair_button: QPushButton | None = None
        if section.key in REPAIRABLE:
            self.repair_button = button(text.REPAIR)
            self.repair_button.clicked.connect(self.repair)
            actions.addWidget(self.repair_button)
        self.objection_button: QPushButton | None = None
        if section.key in OBJECTABLE:
            self.objection_button = button(text.OBJECT)
            self.objection_button.clicked.connect(self.objection)
            actions.addWidget(self.objection_button)
        layout.addLayout(actions)


def _name_value_card(pairs: Sequence[tuple[str, str]]) -> QWidget:
    box = card()
    grid = QGridLayout(box)
    grid.setContentsMargins(28, 16, 28, 16)
    grid.setHorizontalSpacing(30)
    grid.setVerticalSpacing(6)
    for line, (name, value) in enumerate(pairs):
        grid.addWidget(label(name, "fieldName", wrap=False), line, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(label(value, "fieldValue"), line, 1)
    grid.setColumnStretch(1, 1)
    return box
