"""The report: its conclusion first, then each section as pages of short rows; a row opens
its full details, from where the resident can object or read the credit-repair guidance."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QVBoxLayout, QWidget

from kiosk.contract import CreditReport
from kiosk.report_model import display_time, report_title, subject_facts
from kiosk.report_summary import Screen, screens
from ui.screens.report_pages import RowDetails, conclusion_page, section_page
from ui.strings import common
from ui.strings import report as text
from ui.widgets import button, centered, clear_layout, label, touch_scroll_area

ROWS_PER_PAGE = {(False, False): 8, (True, False): 10, (False, True): 4, (True, True): 6}
"""Records per section page by (portrait, 长辈模式): two columns of four across a landscape
screen (a row may take three lines), ten down a portrait one; fewer, larger in 长辈模式."""


class ReportScreen(QWidget):
    print_requested = Signal()
    exit_requested = Signal()
    touched = Signal()
    objection_requested = Signal(str, int)
    """申请异议 on a record: (section key, row index within that section)."""
    repair_requested = Signal(str, int)
    """信用修复指引 on a record: (section key, row index within that section)."""

    def __init__(self, service_window: str = "") -> None:
        """``service_window``: the hall's window for help (e.g. "3号窗口"); empty: any."""
        super().__init__()
        self.service_window = service_window
        self.report: CreditReport | None = None
        self.screens: list[Screen] = []
        self.screen_index = 0
        self.details: RowDetails | None = None
        self.portrait = False
        self.elder = False

        # the card reminder beside the title, under it in portrait (no room across in 长辈模式)
        self.title_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.title = label(text.TITLE, "title", wrap=False)
        self.title_row.addWidget(self.title)
        self.title_row.addStretch(1)
        self.title_row.addWidget(label(text.KEEP_CARD, "step", wrap=False))
        self.meta = label("", "muted")

        self.scroll_area, self.body_layout = touch_scroll_area()

        self.previous = button(text.PREVIOUS)
        self.next = button(text.NEXT)
        self.page_label = centered("", "muted")
        self.to_conclusion = button(text.BACK_TO_CONCLUSION)
        self.print = button(text.PRINT, "primary")
        self.exit = button(common.EXIT)
        self.previous.clicked.connect(lambda: self.go_to(self.screen_index - 1))
        self.next.clicked.connect(lambda: self.go_to(self.screen_index + 1))
        self.to_conclusion.clicked.connect(lambda: self.go_to(0))
        self.print.clicked.connect(self.print_requested)
        self.exit.clicked.connect(self.exit_requested)

        self.controls = QGridLayout()
        self.controls.setHorizontalSpacing(16)
        self.controls.setVerticalSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 16, 40, 16)
        layout.setSpacing(12)
        layout.addLayout(self.title_row)
        layout.addWidget(self.meta)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(self.controls)
        self._arrange_controls()

    # --- layout for either orientation ---
    def set_portrait(self, portrait: bool) -> None:
        if portrait == self.portrait:
            return
        self.portrait = portrait
        self.title_row.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self._arrange_controls()
        self._repaginate()

    def set_elder(self, elder: bool) -> None:
        """长辈模式: fewer rows a screen (the window calls this when the mode changes)."""
        if elder != self.elder:
            self.elder = elder
            self._repaginate()

    def _repaginate(self) -> None:
        if self.report is not None:
            shown = self.screens[self.screen_index]
            self.screens = screens(self.report, self.per_page)
            self.screen_index = self._index_showing(shown)
            self._render()

    def _index_showing(self, old: Screen) -> int:
        """The screen now showing ``old``'s first row (or its section, or the conclusion)."""
        same_section = [i for i, s in enumerate(self.screens) if s.section == old.section]
        with_row = [i for i in same_section if old.rows and old.rows[0] in self.screens[i].rows]
        return (with_row or same_section or [0])[0]

    @property
    def per_page(self) -> int:
        return ROWS_PER_PAGE[self.portrait, self.elder]

    def _arrange_controls(self) -> None:
        widgets: tuple[QWidget, ...] = (self.previous, self.page_label, self.next)
        widgets += (self.to_conclusion, self.print, self.exit)
        for widget in widgets:
            self.controls.removeWidget(widget)
        if self.portrait:
            self.controls.addWidget(self.previous, 0, 0)
            self.controls.addWidget(self.page_label, 0, 1)
            self.controls.addWidget(self.next, 0, 2)
            self.controls.addWidget(self.to_conclusion, 1, 0)
            self.controls.addWidget(self.print, 1, 1)
            self.controls.addWidget(self.exit, 1, 2)
        else:
            for column, widget in enumerate(widgets):
                self.controls.addWidget(widget, 0, column)
        for column in range(self.controls.columnCount()):
            # portrait: three equal columns; landscape: the page label takes the rest
            stretch = column < 3 if self.portrait else column == 1
            self.controls.setColumnStretch(column, int(stretch))

    # --- content ---
    def show_report(self, report: CreditReport, holder_masked: str) -> None:
        if report is self.report:
            return
        self.report = report
        self.title.setText(report_title(report))
        facts = subject_facts(report, holder_masked)
        self.meta.setText(
            "    ".join(f"{name}：{value}" for name, value in facts)
            + f"    {text.REPORT_NO}：{report.report_no}"
            + f"    {text.ISSUED_AT}：{display_time(report.issued_at)}"
        )
        self.screens = screens(report, self.per_page)
        self.screen_index = 0
        self._render()

    def clear(self) -> None:
        """Drop every widget that showed personal data."""
        self.report = None
        self.screens = []
        self.details = None
        self.meta.clear()
        self.page_label.clear()
        clear_layout(self.body_layout)

    def go_to(self, index: int) -> None:
        self.touched.emit()
        if self.screens and 0 <= index < len(self.screens):
            self.screen_index = index
            self._render()

    def open_section(self, key: str) -> None:
        index = next((i for i, s in enumerate(self.screens) if s.section == key), None)
        if index is not None:
            self.go_to(index)

    def open_row(self, key: str, index: int) -> None:
        """The full details of row ``index`` of section ``key``."""
        if self.report is None:
            return
        self.touched.emit()
        self.details = RowDetails(self.report.section(key), index)
        self.details.back.connect(self.close_row)
        self.details.objection.connect(lambda: self.objection_requested.emit(key, index))
        self.details.repair.connect(lambda: self.repair_requested.emit(key, index))
        clear_layout(self.body_layout)
        self.body_layout.addWidget(self.details)
        self.body_layout.addStretch(1)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.page_label.setText(text.DETAILS.format(title=self.report.section(key).title))
        self.previous.setEnabled(False)
        self.next.setEnabled(False)
        self.to_conclusion.setEnabled(True)

    def close_row(self) -> None:
        self.touched.emit()
        self._render()

    def _render(self) -> None:
        if self.report is None:
            return
        self.details = None
        clear_layout(self.body_layout)
        screen = self.screens[self.screen_index]
        if screen.section is None:
            page = conclusion_page(
                self.report, self.service_window, self.portrait, self.open_section
            )
            self.page_label.setText(text.CONCLUSION)
        else:
            page = section_page(self.report, screen, self.portrait, self.open_row)
            title = self.report.section(screen.section).title
            self.page_label.setText(
                text.PAGE_OF_SECTION.format(title=title, page=screen.page, pages=screen.pages)
            )
        self.body_layout.addWidget(page)
        self.body_layout.addStretch(1)
        self.scroll_area.verticalScrollBar().setValue(0)
        self.previous.setEnabled(self.screen_index > 0)
        self.next.setEnabled(self.screen_index < len(self.screens) - 1)
        self.to_conclusion.setEnabled(self.screen_index > 0)
