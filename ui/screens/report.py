"""The report: a summary page, then each section paged in large type for touch."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from kiosk.contract import CreditReport, Section
from kiosk.report_model import display_time, report_title, subject_facts
from ui.strings import common
from ui.strings import report as text
from ui.widgets import button, card, centered, clear_layout, label, touch_scroll_area

# Records that fit one page at 1080 p without scrolling: one row of two cards across a
# landscape screen, four cards down a portrait one.
RECORDS_PER_PAGE = {False: 2, True: 4}


@dataclass(frozen=True)
class Page:
    section: str | None
    """None for the summary page."""
    first_row: int = 0


def paginate(report: CreditReport, per_page: int) -> list[Page]:
    """Summary first, then every section with records, ``per_page`` records at a time.

    The basic-information section is one page: its rows are short name/value pairs.
    """
    pages = [Page(None)]
    for section in report.sections:
        if section.key == "basic":
            pages.append(Page(section.key))
            continue
        pages.extend(Page(section.key, start) for start in range(0, len(section.rows), per_page))
    return pages


class ReportScreen(QWidget):
    print_requested = Signal()
    exit_requested = Signal()
    touched = Signal()
    objection_requested = Signal(str, int)
    """申请异议 on a record: (section key, row index within that section)."""
    repair_requested = Signal(str, int)
    """信用修复指引 on a record: (section key, row index within that section)."""

    def __init__(self) -> None:
        super().__init__()
        self.report: CreditReport | None = None
        self.pages: list[Page] = []
        self.page_index = 0
        self.portrait = False

        self.title = label(text.TITLE, "title")
        self.holder = label("", "muted")
        self.meta = label("", "muted")
        heading = QVBoxLayout()
        heading.setSpacing(4)
        heading.addWidget(self.title)
        heading.addWidget(self.holder)
        heading.addWidget(self.meta)

        self.scroll_area, self.body_layout = touch_scroll_area()

        self.previous = button(text.PREVIOUS)
        self.next = button(text.NEXT)
        self.page_label = centered("", "muted")
        self.summary = button(text.BACK_TO_SUMMARY)
        self.print = button(text.PRINT, "primary")
        self.exit = button(common.EXIT)
        self.previous.clicked.connect(lambda: self.go_to(self.page_index - 1))
        self.next.clicked.connect(lambda: self.go_to(self.page_index + 1))
        self.summary.clicked.connect(lambda: self.go_to(0))
        self.print.clicked.connect(self.print_requested)
        self.exit.clicked.connect(self.exit_requested)

        self.controls = QGridLayout()
        self.controls.setHorizontalSpacing(16)
        self.controls.setVerticalSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 20, 40, 16)
        layout.setSpacing(14)
        layout.addLayout(heading)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(self.controls)
        self._arrange_controls()

    # --- layout for either orientation ---
    def set_portrait(self, portrait: bool) -> None:
        if portrait != self.portrait:
            self.portrait = portrait
            self._arrange_controls()
            if self.report is not None:
                section = self.pages[self.page_index].section
                self.pages = paginate(self.report, self.per_page)
                self.page_index = next(
                    (i for i, p in enumerate(self.pages) if p.section == section), 0
                )
            self._render()

    @property
    def per_page(self) -> int:
        return RECORDS_PER_PAGE[self.portrait]

    def _arrange_controls(self) -> None:
        nav: tuple[QWidget, ...] = (self.previous, self.page_label, self.next, self.summary)
        actions: tuple[QWidget, ...] = (self.print, self.exit)
        for widget in nav + actions:
            self.controls.removeWidget(widget)
        if self.portrait:
            for column, widget in enumerate(nav):
                self.controls.addWidget(widget, 0, column)
            self.controls.addWidget(self.print, 1, 0, 1, 3)
            self.controls.addWidget(self.exit, 1, 3)
        else:
            for column, widget in enumerate(nav + actions):
                self.controls.addWidget(widget, 0, column)

    # --- content ---
    def show_report(self, report: CreditReport, holder_masked: str) -> None:
        if report is self.report:
            return
        self.report = report
        self.title.setText(report_title(report))
        self.holder.setText(
            "    ".join(f"{name}：{value}" for name, value in subject_facts(report, holder_masked))
        )
        self.meta.setText(
            f"{text.REPORT_NO}：{report.report_no}    "
            f"{text.ISSUED_AT}：{display_time(report.issued_at)}"
        )
        self.pages = paginate(report, self.per_page)
        self.page_index = 0
        self._render()

    def clear(self) -> None:
        """Drop every widget that showed personal data."""
        self.report = None
        self.pages = []
        self.holder.clear()
        self.meta.clear()
        clear_layout(self.body_layout)

    def go_to(self, index: int) -> None:
        self.touched.emit()
        if self.pages and 0 <= index < len(self.pages):
            self.page_index = index
            self._render()

    def open_section(self, key: str) -> None:
        index = next((i for i, p in enumerate(self.pages) if p.section == key), None)
        if index is None:  # no records: show the empty section as its own page
            self.pages.append(Page(key))
            index = len(self.pages) - 1
        self.go_to(index)

    def _render(self) -> None:
        if self.report is None:
            return
        clear_layout(self.body_layout)
        page = self.pages[self.page_index]
        if page.section is None:
            self._render_summary(self.report)
        else:
            self._render_section(self.report.section(page.section), page.first_row)
        self.body_layout.addStretch(1)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.page_label.setText(text.PAGE.format(page=self.page_index + 1, pages=len(self.pages)))
        self.previous.setEnabled(self.page_index > 0)
        self.next.setEnabled(self.page_index < len(self.pages) - 1)
        self.summary.setEnabled(self.page_index > 0)

    def _render_summary(self, report: CreditReport) -> None:
        badges = QHBoxLayout()
        badges.setSpacing(20)
        red = text.LISTED if report.on_red_list else text.NOT_LISTED
        black = text.LISTED if report.on_black_list else text.NOT_LISTED
        red_style = "badgeHonour" if report.on_red_list else "badgeGood"
        black_style = "badgeBad" if report.on_black_list else "badgeGood"
        badges.addWidget(label(text.SUMMARY, "sectionTitle", wrap=False))
        badges.addSpacing(20)
        badges.addWidget(label(f"{text.RED_LIST}：{red}", red_style, wrap=False))
        badges.addWidget(label(f"{text.BLACK_LIST}：{black}", black_style, wrap=False))
        badges.addStretch(1)
        self.body_layout.addLayout(badges)
        self.body_layout.addWidget(label(text.TOUCH_TO_OPEN, "muted"))
        grid = QGridLayout()
        grid.setSpacing(14)
        columns = 2 if self.portrait else 4
        for index, section in enumerate(report.sections):
            count = len(section.rows)
            warn = section.key in ("black_list", "admin_penalty") and count > 0
            counted = text.RECORDS.format(count=count) if count else text.NO_RECORDS
            tile = button(f"{section.title}    {counted}", "tileWarn" if warn else "tile")
            tile.clicked.connect(lambda _=False, key=section.key: self.open_section(key))
            grid.addWidget(tile, index // columns, index % columns)
        self.body_layout.addLayout(grid)

    def _render_section(self, section: Section, first: int) -> None:
        rows = section.rows[first : first + self.per_page]
        total = len(section.rows)
        if section.key == "basic":
            rows = section.rows
        heading = section.title
        if total and section.key != "basic":
            last = first + len(rows)
            heading = f"{section.title}（共 {total} 条，第 {first + 1}–{last} 条）"
        self.body_layout.addWidget(label(heading, "sectionTitle"))
        if not rows:
            self.body_layout.addWidget(label(text.NO_RECORDS, "subtitle"))
            return
        if section.key == "basic":
            box = card()
            grid = QGridLayout(box)
            grid.setContentsMargins(28, 20, 28, 20)
            grid.setHorizontalSpacing(30)
            for index, (name, value) in enumerate(rows):
                grid.addWidget(label(name, "fieldName", wrap=False), index, 0)
                grid.addWidget(label(value, "fieldValue"), index, 1)
            grid.setColumnStretch(1, 1)
            self.body_layout.addWidget(box)
            return
        records = QGridLayout()
        records.setSpacing(16)
        columns = 1 if self.portrait else 2
        for index, row in enumerate(rows):
            box = card()
            grid = QGridLayout(box)
            grid.setContentsMargins(24, 16, 24, 16)
            grid.setHorizontalSpacing(20)
            grid.setVerticalSpacing(6)
            for line, (name, value) in enumerate(zip(section.columns, row, strict=True)):
                grid.addWidget(
                    label(name, "fieldName", wrap=False), line, 0, Qt.AlignmentFlag.AlignTop
                )
                grid.addWidget(label(value, "fieldValue"), line, 1)
            grid.setColumnStretch(1, 1)
            records.addWidget(box, index // columns, index % columns, Qt.AlignmentFlag.AlignTop)
        self.body_layout.addLayout(records)
