"""The report's conclusion, its section order and its screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from kiosk.contract import SECTION_BY_KEY, SECTIONS, CreditReport
from kiosk.report_summary import (
    LATEST_SHOWN,
    ROW_COLUMNS,
    conclusion,
    screens,
    section_order,
    summarize_row,
)
from sandbox import population

ISSUED = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # 2026-11-24 in China


def report(rows: Mapping[str, Sequence[Sequence[str]]]) -> CreditReport:
    return CreditReport.from_rows(
        report_no="XT20261124000001",
        verify_code="ABCD1234",
        issued_at=ISSUED,
        subject_name="测试员甲",
        subject_id_masked="3709**********123X",
        rows={"basic": [("姓名", "测试员甲")], **rows},
    )


def penalty(day: str, published_until: str, conduct: str = "占道经营") -> tuple[str, ...]:
    return (
        f"新综执罚决字〔{day[:4]}〕第1号",
        conduct,
        "在青云街道占用城市道路摆摊经营",
        "《城市市容和环境卫生管理条例》第三十六条",
        "罚款",
        "罚款人民币300元",
        "0.03",
        day,
        "新泰市综合行政执法局",
        published_until,
    )


def listing(day: str, status: str) -> tuple[str, ...]:
    removed = "2025-06-01" if status == "已移出" else "—"
    performance = "全部已履行" if status == "已移出" else "全部未履行"
    return (
        "失信被执行人",
        f"（{day[:4]}）鲁0982执100号",
        "新泰市人民法院",
        "（2019）鲁0982民初100号",
        "有履行能力而拒不履行生效法律文书确定义务",
        performance,
        day,
        status,
        removed,
    )


def volunteering(day: str) -> tuple[str, ...]:
    return ("敬老院助老志愿服务", "2.5", day, "新泰市志愿服务联合会")


def test_every_section_but_basic_says_which_columns_make_its_line() -> None:
    assert set(ROW_COLUMNS) == {s.key for s in SECTIONS} - {"basic"}
    for key, columns in ROW_COLUMNS.items():
        named = {columns.date, columns.authority, *columns.what}
        assert named <= set(SECTION_BY_KEY[key].columns), key


def test_a_clean_report_says_so_and_where_to_get_help() -> None:
    said = conclusion(report({}), "3号窗口")
    assert said.headline == "未发现失信记录和行政处罚记录。"
    assert not said.needs_attention
    assert any("3号窗口" in step and "12345" in step for step in said.next_steps)
    assert any("服务窗口" in step for step in conclusion(report({})).next_steps)


def test_removed_listings_are_not_counted_as_current() -> None:
    said = conclusion(
        report(
            {
                "black_list": [listing("2024-01-02", "有效"), listing("2023-01-02", "已移出")],
                "admin_penalty": [
                    penalty("2026-03-01", "2027-03-01"),
                    penalty("2024-03-01", "2025-03-01"),
                    penalty("2025-11-24", "2026-11-24"),  # its last day of publicity
                ],
            }
        )
    )
    assert said.headline == "您有 1 条仍在公示期的失信记录、3 条行政处罚记录。"
    assert "行政处罚中 2 条仍在公示期，1 条已过公示期。" in said.details
    assert "另有 1 条失信记录已移出名单，不再计为当前记录。" in said.details
    assert said.needs_attention
    assert any("申请异议" in step for step in said.next_steps)
    assert any("信用修复" in step for step in said.next_steps)


def test_only_removed_listings_need_no_attention() -> None:
    removed_only = report({"black_list": [listing("2023-01-02", "已移出")]})
    assert conclusion(removed_only).headline == "未发现仍在公示期的失信记录。"
    assert not removed_only.on_black_list  # so the receipt and the A4 say 未列入
    assert [s.key for s in section_order(removed_only)] == ["basic", "black_list"]


def test_sections_needing_attention_come_first() -> None:
    rows = {
        "volunteer": [volunteering("2025-01-01")],
        "admin_penalty": [penalty("2025-01-01", "2026-01-01")],
        "black_list": [listing("2024-01-02", "有效")],
    }
    order = [s.key for s in section_order(report(rows))]
    assert order == ["black_list", "admin_penalty", "basic", "volunteer"]


def test_a_row_reads_date_what_authority() -> None:
    section = report({"admin_penalty": [penalty("2025-01-01", "2026-01-01")]}).section(
        "admin_penalty"
    )
    line = summarize_row(section, 0)
    assert (line.date, line.what, line.authority) == (
        "2025-01-01",
        "占道经营，罚款",
        "新泰市综合行政执法局",
    )


def test_sections_page_newest_first_and_long_positive_ones_keep_the_latest() -> None:
    penalties = [penalty(f"20{10 + n:02d}-01-01", "2026-01-01") for n in range(12)]
    volunteer = [volunteering(f"20{10 + n:02d}-05-01") for n in range(8)]
    result = screens(report({"admin_penalty": penalties, "volunteer": volunteer}), per_page=5)

    assert [(s.section, s.page, s.pages) for s in result] == [
        (None, 1, 1),
        ("admin_penalty", 1, 3),
        ("admin_penalty", 2, 3),
        ("admin_penalty", 3, 3),
        ("basic", 1, 1),
        ("volunteer", 1, 1),
    ]
    shown = [i for s in result if s.section == "admin_penalty" for i in s.rows]
    assert shown == list(range(11, -1, -1))  # every penalty once, the newest first
    (kept,) = (s for s in result if s.section == "volunteer")
    assert kept.rows == tuple(range(7, 7 - LATEST_SHOWN, -1)) and kept.not_shown == 8 - LATEST_SHOWN


def test_the_largest_sandbox_report_takes_at_most_30_screens() -> None:
    richest = population.build_report(
        population.richest_resident(), "XT20261124000001", "ABCD1234", ISSUED
    )
    for per_page in (10, 8, 5):
        assert len(screens(richest, per_page)) <= 30
    said = conclusion(richest)
    assert said.headline.startswith("您有 4 条仍在公示期的失信记录、60 条行政处罚记录")
