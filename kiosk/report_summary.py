"""What a resident reads first: the report's conclusion in plain words, the sections needing
attention before the others, each record as one short line (date · what · authority), and
the screens the report takes, a section ``per_page`` records at a time.

Pure logic over the contract's ``CreditReport``: the screens (``ui/screens/report*.py``) and
the A4 document (``kiosk/documents/report_pdf.py``) both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.contract import LIST_REMOVED, CreditReport, Section
from kiosk.report_model import CHINA_TIME

NOT_RECORDED = "—"
"""A cell the national format leaves empty for this record."""
UNFULFILLED = "未履约"

ATTENTION = ("black_list", "admin_penalty", "commitment")
"""Sections that can need the resident to act, in the order they are shown first."""
LATEST_SHOWN = 5
"""Positive or neutral sections show only their latest records on screen; the A4 print has
them all."""
FULL_ON_SCREEN = frozenset({"black_list", "admin_penalty", "commitment"})
"""Sections shown completely on screen: every record can be objected to or repaired."""

HOTLINE = "12345"
DEFAULT_WINDOW = "服务窗口"


@dataclass(frozen=True)
class RowColumns:
    """Which columns make a record's one-line summary."""

    date: str
    what: tuple[str, ...]
    authority: str


ROW_COLUMNS: dict[str, RowColumns] = {
    "admin_license": RowColumns("许可决定日期", ("许可证书名称", "许可内容"), "许可机关"),
    "admin_penalty": RowColumns("处罚决定日期", ("违法行为类型", "处罚类别"), "处罚机关"),
    "red_list": RowColumns("列入日期", ("名单名称",), "认定单位"),
    "black_list": RowColumns("列入(发布)日期", ("名单名称",), "认定单位/执行法院"),
    "commitment": RowColumns("承诺日期", ("承诺事项", "履约状态"), "受理单位"),
    "honors": RowColumns("授予日期", ("荣誉名称", "级别"), "授予单位"),
    "volunteer": RowColumns("服务日期", ("服务项目", "服务时长(小时)"), "组织单位"),
    "tax_credit": RowColumns("评价年度", ("纳税信用等级",), "评价单位"),
    "repair": RowColumns("修复日期", ("修复事项",), "修复单位"),
    "other": RowColumns("日期", ("事项", "内容"), "来源单位"),
}
"""Every section but 基础信息 (name/value pairs, shown as they are)."""


@dataclass(frozen=True)
class RowSummary:
    date: str
    what: str
    authority: str


def cell(section: Section, row: tuple[str, ...], column: str) -> str:
    return row[section.columns.index(column)]


def summarize_row(section: Section, index: int) -> RowSummary:
    """One record as date · what · authority."""
    columns = ROW_COLUMNS[section.key]
    row = section.rows[index]
    parts = [cell(section, row, c) for c in columns.what]
    if section.key == "volunteer":
        parts[1] = f"{parts[1]} 小时"
    if section.key == "tax_credit":
        parts[0] = f"纳税信用 {parts[0]} 级"
    if is_removed(section, index):
        parts.append(LIST_REMOVED)
    what = "，".join(p for p in parts if p != NOT_RECORDED)
    return RowSummary(cell(section, row, columns.date), what, cell(section, row, columns.authority))


def newest_first(section: Section) -> list[int]:
    """Row indexes, newest first (dates and years are ISO text, so they sort as text)."""
    if section.key not in ROW_COLUMNS:
        return list(range(len(section.rows)))
    date = section.columns.index(ROW_COLUMNS[section.key].date)
    return sorted(range(len(section.rows)), key=lambda i: section.rows[i][date], reverse=True)


def is_removed(section: Section, index: int) -> bool:
    return (
        section.key == "black_list"
        and cell(section, section.rows[index], "当前状态") == LIST_REMOVED
    )


def in_force(section: Section) -> int:
    """Rows of ``section`` not removed from their list."""
    return sum(not is_removed(section, i) for i in range(len(section.rows)))


def current_listings(report: CreditReport) -> int:
    """失信 list entries still in force (removed entries are history, not current)."""
    return in_force(report.section("black_list"))


def penalties_in_publicity(report: CreditReport) -> int:
    """行政处罚 whose 公示截止期 is not yet past on the report's issue date."""
    section = report.section("admin_penalty")
    today = report.issued_at.astimezone(CHINA_TIME).date().isoformat()
    return sum(cell(section, row, "公示截止期") >= today for row in section.rows)


def attention_keys(report: CreditReport) -> list[str]:
    """Sections needing the resident's attention, in ``ATTENTION`` order."""
    counts = {
        "black_list": current_listings(report),
        "admin_penalty": report.count("admin_penalty"),
        "commitment": unfulfilled_commitments(report),
    }
    return [key for key in ATTENTION if counts[key]]


def unfulfilled_commitments(report: CreditReport) -> int:
    section = report.section("commitment")
    return sum(cell(section, row, "履约状态") == UNFULFILLED for row in section.rows)


@dataclass(frozen=True)
class Conclusion:
    headline: str
    details: tuple[str, ...]
    """Further facts, one sentence each."""
    next_steps: tuple[str, ...]
    """What the resident can do, one sentence each."""
    needs_attention: bool


def conclusion(report: CreditReport, service_window: str = "") -> Conclusion:
    """The report's meaning in plain words, and what to do next."""
    listed = current_listings(report)
    removed = report.count("black_list") - listed
    penalties = report.count("admin_penalty")
    published = penalties_in_publicity(report)
    unfulfilled = unfulfilled_commitments(report)
    found = []
    if listed:
        found.append(f"{listed} 条仍在公示期的失信记录")
    if penalties:
        found.append(f"{penalties} 条行政处罚记录")
    if unfulfilled:
        found.append(f"{unfulfilled} 条未履约的信用承诺")
    if found:
        headline = f"您有 {'、'.join(found)}。"
    elif penalties == 0 and removed == 0:
        headline = "未发现失信记录和行政处罚记录。"
    else:
        headline = "未发现仍在公示期的失信记录。"
    details = []
    if penalties:
        details.append(
            f"行政处罚中 {published} 条仍在公示期，{penalties - published} 条已过公示期。"
        )
    if removed:
        details.append(f"另有 {removed} 条失信记录已移出名单，不再计为当前记录。")
    if report.count("red_list"):
        details.append(f"您在守信激励名单（红名单）中，共 {report.count('red_list')} 条。")
    window = service_window or DEFAULT_WINDOW
    help_line = f"需要帮助：请到{window}，或拨打 {HOTLINE} 政务服务热线。"
    attention = bool(found)
    steps: tuple[str, ...]
    if attention:
        steps = (
            "认为记录有误：点选该条记录，按“申请异议”。",
            "已履行或已整改：点选记录，看“信用修复指引”。",
            help_line,
        )
    else:
        steps = ("办事需要时，可打印 A4 完整报告。", help_line)
    return Conclusion(headline, tuple(details), steps, attention)


def section_order(report: CreditReport) -> list[Section]:
    """Sections with records: those needing attention first, then 基础信息 and the rest in
    the contract's order."""
    first = attention_keys(report)
    return [report.section(key) for key in first] + [
        s for s in report.sections if s.rows and s.key not in first
    ]


def empty_sections(report: CreditReport) -> list[Section]:
    return [s for s in report.sections if not s.rows]


@dataclass(frozen=True)
class Screen:
    """One screen of the report: the conclusion (``section`` None) or a page of a section."""

    section: str | None
    page: int = 1
    pages: int = 1
    rows: tuple[int, ...] = ()
    """Row indexes within the section shown on this page, in the order shown."""
    not_shown: int = 0
    """Records of the section left for the A4 print."""


def screens(report: CreditReport, per_page: int) -> list[Screen]:
    """Every screen in reading order: the conclusion, then each section with records."""
    result = [Screen(None)]
    for section in section_order(report):
        order = newest_first(section)
        if section.key == "basic":
            result.append(Screen(section.key, rows=tuple(order)))
            continue
        shown = order if section.key in FULL_ON_SCREEN else order[:LATEST_SHOWN]
        chunks = [shown[start : start + per_page] for start in range(0, len(shown), per_page)]
        result.extend(
            Screen(section.key, n, len(chunks), tuple(chunk), len(order) - len(shown))
            for n, chunk in enumerate(chunks, start=1)
        )
    return result
