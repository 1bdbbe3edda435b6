"""The report on screen: the conclusion first, sections page by page, a row's details with
the objection and repair buttons, in both orientations."""

from __future__ import annotations

import datetime as dt
import time

import msgspec
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.contract import AdminPenalties, CreditReport
from kiosk.session import SessionView, State
from sandbox import population
from tests.ui.fakes import FakeActions
from ui.screens.report_pages import RecordRow, RowDetails
from ui.strings import report as text
from ui.window import KioskWindow

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
MAX_SCREENS = 30


def sandbox_report(key: str) -> CreditReport:
    issued = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)
    return population.build_report(population.by_key(key), "XT20261124000001", "ABCD1234", issued)


RICHEST = sandbox_report(population.richest_resident().key)


def window_showing(qtbot: QtBot, report: CreditReport, orientation: str) -> KioskWindow:
    window = KioskWindow(FakeActions(), "新泰市政务服务中心", service_window="3号窗口")
    qtbot.addWidget(window)
    window.resize(*SIZES[orientation])
    window.show()
    view = SessionView(
        number=1,
        state=State.SHOWING,
        deadline=time.monotonic() + 60,
        report=report,
        holder_name="刘德胜",
    )
    window.apply(view)
    QApplication.processEvents()
    return window


def texts(widget: QWidget) -> list[str]:
    QApplication.processEvents()
    return [w.text() for w in widget.findChildren(QLabel) if w.isVisibleTo(widget)]


def rows_shown(window: KioskWindow) -> list[RecordRow]:
    QApplication.processEvents()
    return [r for r in window.report.findChildren(RecordRow) if r.isVisibleTo(window.report)]


@pytest.mark.parametrize("orientation", SIZES)
def test_the_largest_report_reads_in_at_most_30_screens(qtbot: QtBot, orientation: str) -> None:
    window = window_showing(qtbot, RICHEST, orientation)
    screen = window.report
    labels = [screen.page_label.text()]
    penalties: list[int] = []
    while screen.next.isEnabled():
        screen.next.click()
        labels.append(screen.page_label.text())
        assert text.KEEP_CARD in texts(screen)
        if screen.page_label.text().startswith("行政处罚"):
            penalties += [row.index for row in rows_shown(window)]
    assert len(labels) <= MAX_SCREENS
    assert labels[0] == "报告结论"
    # attention first: the lists, then the penalties, page by page
    assert labels[1] == "失信惩戒/黑名单 第 1/1 页"
    pages = (RICHEST.count("admin_penalty") + screen.per_page - 1) // screen.per_page
    assert labels[3] == f"行政处罚 第 2/{pages} 页"
    assert sorted(penalties) == list(range(RICHEST.count("admin_penalty")))  # each one once
    print(f"\n{orientation}: {len(labels)} screens")


def test_the_conclusion_says_what_it_means_and_what_to_do(qtbot: QtBot) -> None:
    window = window_showing(qtbot, RICHEST, "landscape")
    shown = " ".join(texts(window.report))
    assert "您有 4 条仍在公示期的失信记录、60 条行政处罚记录" in shown
    assert "3号窗口" in shown and "12345" in shown and "申请异议" in shown
    assert text.KEEP_CARD in shown


def test_a_clean_report_says_no_records(qtbot: QtBot) -> None:
    window = window_showing(qtbot, sandbox_report("r01"), "portrait")
    shown = texts(window.report)
    assert "未发现失信记录和行政处罚记录。" in shown
    assert any(line.startswith("无记录：") and "行政处罚" in line for line in shown)


@pytest.mark.parametrize("orientation", SIZES)
def test_a_row_opens_every_column_and_asks_for_objection_or_repair(
    qtbot: QtBot, orientation: str
) -> None:
    window = window_showing(qtbot, RICHEST, orientation)
    screen = window.report
    screen.open_section("admin_penalty")
    screen.next.click()
    page = screen.page_label.text()
    row = rows_shown(window)[0]
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    (details,) = screen.findChildren(RowDetails)
    section = RICHEST.section("admin_penalty")
    shown = texts(screen)
    assert all(column in shown for column in section.columns)
    assert all(value in shown for value in section.rows[row.index])
    assert text.KEEP_CARD in shown
    assert details.repair_button is not None and details.objection_button is not None
    with qtbot.waitSignal(screen.objection_requested) as objection:
        details.objection_button.click()
    assert objection.args == ["admin_penalty", row.index]
    with qtbot.waitSignal(screen.repair_requested) as repair:
        details.repair_button.click()
    assert repair.args == ["admin_penalty", row.index]
    details.back_button.click()
    assert screen.page_label.text() == page and not screen.findChildren(RowDetails)


def test_positive_sections_show_the_latest_and_point_to_the_print(qtbot: QtBot) -> None:
    window = window_showing(qtbot, RICHEST, "landscape")
    window.report.open_section("volunteer")
    rows = rows_shown(window)
    dates = [RICHEST.section("volunteer").rows[r.index][2] for r in rows]
    newest = sorted((row[2] for row in RICHEST.section("volunteer").rows), reverse=True)
    assert sorted(dates, reverse=True) == newest[: len(rows)]
    assert any("其余请见 A4 打印报告" in line for line in texts(window.report))
    qtbot.mouseClick(rows[0], Qt.MouseButton.LeftButton)
    (details,) = window.report.findChildren(RowDetails)
    assert details.objection_button is not None and details.repair_button is None


class PenaltiesUnderObjection(AdminPenalties, frozen=True, kw_only=True):
    """The ``objections`` field the platform adds to a section (another branch's change)."""

    objections: tuple[int, ...] = ()


def test_rows_under_objection_say_so(qtbot: QtBot) -> None:
    penalties = RICHEST.section("admin_penalty")
    marked = PenaltiesUnderObjection(rows=penalties.rows, objections=(0,))  # type: ignore[arg-type]
    sections = tuple(marked if s.key == "admin_penalty" else s for s in RICHEST.sections)
    report = msgspec.structs.replace(RICHEST, sections=sections)  # type: ignore[arg-type]
    window = window_showing(qtbot, report, "landscape")
    window.report.open_row("admin_penalty", 0)
    assert text.UNDER_OBJECTION in texts(window.report)
    window.report.open_row("admin_penalty", 1)
    assert text.UNDER_OBJECTION not in texts(window.report)


def test_elder_mode_shows_fewer_rows_a_screen(qtbot: QtBot) -> None:
    window = window_showing(qtbot, RICHEST, "landscape")
    normal = len(window.report.screens)
    window.report.set_elder(True)
    assert len(window.report.screens) > normal
    sections = [s for s in window.report.screens if s.section not in (None, "basic")]
    assert max(len(s.rows) for s in sections) <= 4
    window.report.set_elder(False)
    assert len(window.report.screens) == normal
