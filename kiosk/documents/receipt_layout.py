"""The thermal receipt: a short summary of the report and a QR code that verifies it online.

The receipt is paper a resident may leave behind, so it shows the name masked (张*三) and
only the already-masked ID number; the full report is the A4 print. An enterprise's receipt
names it by name and 统一社会信用代码, public registration data.
"""

from __future__ import annotations

import datetime as dt

from devices.idcard.idnumber import mask_name
from devices.printers.receipt import Align, QrCode, Receipt, ReceiptElement, Rule, Text
from kiosk.contract import CreditReport
from kiosk.report_model import display_time, report_title

SUMMARY = "（摘要）"
ISSUER = "新泰市社会信用中心 · 信用新泰"
QR_CAPTION = "扫码核验"
NOTE = "本凭条仅为摘要，完整报告请打印A4版或登录信用新泰查询"


def list_status(on_list: bool) -> str:
    return "在列" if on_list else "未列入"


def build_receipt(
    report: CreditReport, *, terminal_id: str, printed_at: dt.datetime, verify_url: str
) -> Receipt:
    elements: list[ReceiptElement] = [
        Text(report_title(report), Align.CENTER, bold=True, large=True),
        Text(SUMMARY, Align.CENTER, bold=True),
        Text(ISSUER, Align.CENTER),
        Rule(),
        *_subject(report),
        Text(f"报告编号：{report.report_no}"),
        Text(f"出具时间：{display_time(report.issued_at)}"),
        Rule(),
        Text("信息概要", bold=True),
    ]
    elements += [Text(f"{s.title}：{len(s.rows)} 条") for s in report.sections]
    elements += [
        Text(f"红名单：{list_status(report.on_red_list)}", bold=report.on_red_list),
        Text(f"黑名单：{list_status(report.on_black_list)}", bold=report.on_black_list),
        Rule(),
        QrCode(verify_url),
        Text(QR_CAPTION, Align.CENTER, bold=True),
        Text(f"核验码：{report.verify_code}", Align.CENTER),
        Rule(),
        Text(f"终端编号：{terminal_id}"),
        Text(f"打印时间：{display_time(printed_at)}"),
        Text(NOTE),
    ]
    return Receipt(tuple(elements))


def _subject(report: CreditReport) -> tuple[Text, ...]:
    if report.is_enterprise:
        return (
            Text(f"企业名称：{report.subject_name}"),
            Text(f"统一社会信用代码：{report.subject.uscc}"),
        )
    return (
        Text(f"姓名：{mask_name(report.subject_name)}"),
        Text(f"身份证号：{report.subject_id_masked}"),
    )
