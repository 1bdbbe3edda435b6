"""The thermal receipt summary: masked identity, counts, list status and the verify QR code."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from devices.printers.escpos_encoding import encode_receipt
from devices.printers.receipt import QrCode, Text
from kiosk.contract import SECTIONS, CreditReport
from kiosk.documents.receipt_layout import build_receipt
from kiosk.report_model import verify_url
from tests import reports
from tests.escpos_decoder import decode

NAME = "欧阳测试"
PRINTED_AT = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def make_report(black_list_rows: int = 0) -> CreditReport:
    """Section n has n rows (so every count differs), the black list as asked."""
    rows = {spec.key: n for n, spec in enumerate(SECTIONS)} | {"black_list": black_list_rows}
    return reports.make_report(rows, name=NAME)


def receipt_texts(report: CreditReport) -> tuple[list[str], list[str]]:
    url = verify_url("https://credit.example.test", report)
    receipt = build_receipt(report, terminal_id="XT-TEST-01", printed_at=PRINTED_AT, verify_url=url)
    texts = [e.text for e in receipt.elements if isinstance(e, Text)]
    qr = [e.data for e in receipt.elements if isinstance(e, QrCode)]
    return texts, qr


def test_name_is_masked_and_never_printed_in_full() -> None:
    report = make_report()
    texts, _ = receipt_texts(report)

    assert "姓名：欧**试" in texts
    assert not any(NAME in t for t in texts)
    assert "身份证号：3709**********123X" in texts


def test_qr_code_opens_the_verify_url() -> None:
    report = make_report()

    _, qr = receipt_texts(report)

    assert qr == [verify_url("https://credit.example.test", report)]


def test_summary_counts_every_section_and_the_list_status() -> None:
    texts, _ = receipt_texts(make_report(black_list_rows=2))

    assert texts[:2] == ["个人公共信用信息报告", "（摘要）"]
    for n, spec in enumerate(SECTIONS):
        expected = 2 if spec.key == "black_list" else n
        assert f"{spec.title}：{expected} 条" in texts
    assert "红名单：在列" in texts  # red_list is section 3 here: 3 rows
    assert "黑名单：在列" in texts
    assert "报告编号：XT20261124000001" in texts
    assert "打印时间：2026-11-24 15:30" in texts
    assert "终端编号：XT-TEST-01" in texts
    assert "扫码核验" in texts
    assert any(t.startswith("本凭条仅为摘要") for t in texts)


def test_empty_lists_read_not_listed() -> None:
    report = make_report()
    sections = tuple(
        msgspec.structs.replace(s, rows=()) if s.key == "red_list" else s for s in report.sections
    )

    texts, _ = receipt_texts(msgspec.structs.replace(report, sections=sections))

    assert "红名单：未列入" in texts and "黑名单：未列入" in texts


@pytest.mark.parametrize("columns", [32, 48])
def test_what_reaches_the_printer_holds_no_full_name(columns: int) -> None:
    report = make_report()
    url = verify_url("https://credit.example.test", report)
    receipt = build_receipt(report, terminal_id="XT-TEST-01", printed_at=PRINTED_AT, verify_url=url)

    decoded = decode(encode_receipt(receipt, columns))

    assert NAME not in decoded.text
    assert "欧**试" in decoded.text
    assert [qr.data.decode() for qr in decoded.qr_codes] == [url]


def test_an_enterprise_receipt_names_the_enterprise_by_name_and_code() -> None:
    report = reports.make_report(1, name=reports.ENTERPRISE_NAME, uscc=reports.ENTERPRISE_USCC)
    texts, _ = receipt_texts(report)
    assert texts[:2] == ["企业公共信用信息报告", "（摘要）"]
    assert f"企业名称：{reports.ENTERPRISE_NAME}" in texts
    assert f"统一社会信用代码：{reports.ENTERPRISE_USCC}" in texts
    assert not any(t.startswith(("姓名", "身份证号")) for t in texts)
