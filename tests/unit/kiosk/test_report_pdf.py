"""The A4 report PDF: what a reader of the paper (and pypdf) finds in it."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import msgspec
import pytest
from pypdf import PdfReader

from kiosk.contract import (
    SECTION_BY_KEY,
    SECTIONS,
    AdminPenalties,
    BasicInfo,
    BlackList,
    CreditReport,
    Section,
)
from kiosk.documents.report_pdf import COLUMN_WEIGHTS, TWO_LINE, build_report_pdf
from kiosk.report_model import verify_url
from tests import reports

NAME = "测试员甲"
TERMINAL = "XT-TEST-01"
PRINTED_AT = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MARKUP = "<b>&amp;</b>" * 12
LONG_CELL = "当事人未按规定办理相关手续（含补正材料），依据《中华人民共和国行政处罚法》处理。" * 4


def make_report(rows: dict[str, int] | None = None) -> CreditReport:
    """Every section from the contract, one row each unless ``rows`` says otherwise."""
    return reports.make_report(rows or {}, name=NAME, default=1)


def build(report: CreditReport) -> bytes:
    url = verify_url("https://credit.example.test", report)
    return build_report_pdf(report, terminal_id=TERMINAL, printed_at=PRINTED_AT, verify_url=url)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def big_pdf() -> bytes:
    return build(
        make_report({"admin_penalty": 230, "admin_license": 40, "red_list": 0, "other": 0})
    )


def test_every_page_has_header_footer_and_watermark(big_pdf: bytes) -> None:
    pages = page_texts(big_pdf)

    assert len(pages) > 5
    for number, text in enumerate(pages, start=1):
        assert "XT20261124000001" in text
        assert "ABCD1234" in text
        assert re.search(rf"第\s*{number}\s*页", text)
        assert re.search(rf"共\s*{len(pages)}\s*页", text)
        assert TERMINAL in text and "2026-11-24 15:30" in text


def test_first_page_has_title_issuer_subject_qr_caption_and_summary(big_pdf: bytes) -> None:
    first = page_texts(big_pdf)[0]

    for expected in ("公共信用信息报告", "新泰市社会信用中心", "信用新泰", "扫码核验报告真伪"):
        assert expected in first
    assert NAME in first and "3709**********123X" in first
    assert "信息概要" in first and "230 条" in first
    assert re.search(r"红名单状态\s*未列入", first)
    assert re.search(r"黑名单状态\s*在列", first)


def test_every_section_title_and_the_closing_notes_are_there(big_pdf: bytes) -> None:
    text = "".join(page_texts(big_pdf))

    for spec in SECTIONS:
        assert spec.title in text
    for spec in SECTIONS:
        if spec.key not in ("red_list", "other"):  # empty: 无记录 instead of a table
            assert all(column in text for column in spec.columns)
    assert "其他（共 0 条）" in text and "无记录" in text
    assert "说明" in text and "信用中国" in text and "信用修复" in text


def test_a_long_table_repeats_its_header_row_on_every_page_it_spans(big_pdf: bytes) -> None:
    spanned = [t for t in page_texts(big_pdf) if "admin_penalty-" in t]

    assert len(spanned) > 3
    assert all("行政处罚决定书文号" in t for t in spanned)
    assert "admin_penalty-229-处罚机关" in re.sub(r"\s", "", "".join(spanned))


def test_font_is_embedded_and_no_other_font_is_used(big_pdf: bytes) -> None:
    fonts: dict[str, Any] = {}
    for page in PdfReader(io.BytesIO(big_pdf)).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font

    assert fonts
    for name, font in fonts.items():
        assert "WenQuanYiZenHei" in name
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_metadata_names_the_report_not_the_person(big_pdf: bytes) -> None:
    meta = PdfReader(io.BytesIO(big_pdf)).metadata

    assert meta is not None and meta.title is not None
    assert "XT20261124000001" in meta.title
    assert all(NAME not in str(value) for value in meta.values())


def test_largest_report_builds() -> None:
    report = make_report({key: 220 for key in ("admin_license", "admin_penalty", "commitment")})

    pdf = build(report)  # its build time is measured in `make bench`, never asserted

    assert len(PdfReader(io.BytesIO(pdf)).pages) > 20


def penalty_row(number: str, conduct: str, content: str) -> tuple[str, ...]:
    return (
        number,
        conduct,
        "在青云街道占用城市道路摆摊经营",
        "《城市市容和环境卫生管理条例》第三十六条",
        "罚款",
        content,
        "0.03",
        "2026-01-01",
        "新泰市市场监督管理局",
        "2027-01-01",
    )


def with_section(report: CreditReport, section: Section) -> CreditReport:
    sections = tuple(section if s.key == section.key else s for s in report.sections)
    return msgspec.structs.replace(report, sections=sections)


def test_long_cells_wrap_inside_their_cell_and_markup_is_literal() -> None:
    report = make_report({spec.key: 0 for spec in SECTIONS})
    penalty = AdminPenalties(rows=(penalty_row("新市监罚〔2026〕1号", MARKUP, LONG_CELL),))
    report = with_section(report, penalty)

    pages = page_texts(build(report))

    assert all(LONG_CELL not in page for page in pages)  # broken over several lines ...
    (page,) = [p for p in pages if LONG_CELL in re.sub(r"\s", "", p)]  # ... all on one page
    assert MARKUP in re.sub(r"\s", "", page)


def test_numbers_and_document_numbers_never_break_inside() -> None:
    number = "泰环新罚字〔2026〕第000497号"  # wider than its cell at 8.5 pt
    amounts = "没收违法所得人民币1234567元，并处罚款人民币7654321元" * 3
    report = make_report({spec.key: 0 for spec in SECTIONS})
    report = with_section(report, AdminPenalties(rows=(penalty_row(number, "占道经营", amounts),)))

    text = "".join(page_texts(build(report)))

    assert number in text  # on one line, in a smaller size if it must
    assert amounts not in text  # the long text did wrap ...
    assert amounts in re.sub(r"\s", "", text)
    assert text.count("1234567") == 3 and text.count("7654321") == 3  # ... never in a number


def test_page_one_concludes_and_the_last_page_ends_the_report(big_pdf: bytes) -> None:
    pages = page_texts(big_pdf)

    assert "报告结论" in pages[0]
    assert re.search(r"您有\s*1\s*条仍在公示期的失信记录、230\s*条行政处罚记录", pages[0])
    assert "12345" in pages[0]
    assert "报告结束" in pages[-1]
    assert all("报告结束" not in page for page in pages[:-1])


def test_a_section_continued_on_the_next_page_says_so(big_pdf: bytes) -> None:
    pages = page_texts(big_pdf)
    continued = [p for p in pages if re.search(r"三、行政处罚\s*（续）", p)]

    assert len(continued) >= 3
    assert not re.search(r"三、行政处罚\s*（续）", pages[0])
    assert all("（续）" not in p for p in pages if "信用承诺（共" in p.split("\n", 3)[-1][:40])


def test_removed_list_entries_are_shown_but_not_current() -> None:
    report = make_report({spec.key: 0 for spec in SECTIONS})
    removed = (
        "失信被执行人",
        "（2020）鲁0982执100号",
        "新泰市人民法院",
        "（2019）鲁0982民初100号",
        "有履行能力而拒不履行生效法律文书确定义务",
        "全部已履行",
        "2020-01-02",
        "已移出",
        "2021-03-04",
    )
    report = with_section(report, BlackList(rows=(removed,)))

    text = "".join(page_texts(build(report)))

    assert re.search(r"黑名单状态\s*未列入", text)
    assert "其中 1 条已移出" in text
    assert "已移出，不计为当前记录" in re.sub(r"\s", "", text)
    assert "（2020）鲁0982执100号" in text and "2021-03-04" in text
    assert "未发现仍在公示期的失信记录" in text


def test_cells_longer_than_a_page_split_instead_of_failing() -> None:
    huge = ("信用" * 250, "X" * 500)
    report = make_report({"basic": 0})
    basic = BasicInfo(rows=(huge,) * 6)
    report = msgspec.structs.replace(report, sections=(basic, *report.sections[1:]))

    assert len(page_texts(build(report))) >= 3


def test_every_section_lays_out_each_of_its_columns_once() -> None:
    assert set(TWO_LINE) == {"admin_license", "admin_penalty", "black_list"}
    for key, groups in TWO_LINE.items():
        laid_out = [name for names, _ in groups for name in names]
        assert sorted(laid_out) == sorted(SECTION_BY_KEY[key].columns), key
    one_line = [spec for spec in SECTIONS if spec.key not in TWO_LINE]
    assert {spec.key: len(spec.columns) for spec in one_line} == {
        key: len(weights) for key, weights in COLUMN_WEIGHTS.items()
    }


def test_an_enterprise_report_is_titled_and_named_as_one() -> None:
    report = reports.make_report(
        1, name=reports.ENTERPRISE_NAME, default=1, uscc=reports.ENTERPRISE_USCC
    )
    pdf = build(report)
    first = page_texts(pdf)[0]
    assert "企业公共信用信息报告" in first and "个人公共信用信息报告" not in first
    assert re.search(rf"企业名称\s*{reports.ENTERPRISE_NAME}", first)
    assert re.search(rf"统一社会信用代码\s*{reports.ENTERPRISE_USCC}", first)
    assert "身份证号码" not in first
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None and metadata.title == f"企业公共信用信息报告 {report.report_no}"


def test_a_persons_report_is_titled_as_one(big_pdf: bytes) -> None:
    first = page_texts(big_pdf)[0]
    assert "个人公共信用信息报告" in first and "企业公共信用信息报告" not in first
    assert re.search(r"身份证号码\s*3709\*{10}123X", first)
