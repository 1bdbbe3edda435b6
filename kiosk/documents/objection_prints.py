"""What an objection or a repair guidance prints: the objection receipt (受理编号 and 答复期限,
or 已受理，待上传) and the one-page credit-repair guidance sheet.

Each is first a ``Sheet`` (a title and headed blocks of lines), then either a thermal
``Receipt`` or a one-page A4 PDF (reportlab, the report's embedded font), so the receipt
printer and its A4 fallback print the same words. The screens show the same blocks
(``guidance_blocks``). Only what the platform sent is said; where it sent nothing, the sheet
says 请咨询窗口. The phone appears masked (138****1234) only.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from devices.printers.receipt import Align, Receipt, ReceiptElement, Rule, Text
from kiosk.contract import RepairRule
from kiosk.objections import ObjectionOutcome, RepairOutcome
from kiosk.report_model import display_time

ISSUER = "新泰市社会信用中心 · 信用新泰"
OBJECTION_TITLE = "信用异议申请回执"
QUEUED = "已受理，待上传"
QUEUED_NOTE = (
    "平台暂时无法连接，本申请已在本机登记，将在连接恢复后自动上传；"
    "受理编号和答复期限以上传后平台确定的为准，可凭本回执的登记号到窗口查询。"
)
ACCEPTED_NOTE = "平台将在答复期限内处理您的异议；如有疑问请凭受理编号到窗口咨询。"
GUIDANCE_TITLE = "信用修复指引"
ASK_THE_WINDOW = "请咨询窗口"
NO_RULE = "信用平台未提供该记录的修复规则，请咨询窗口。"
GUIDANCE_NOTE = "本指引依据信用平台提供的规则生成，具体以受理部门的答复为准。"
STATUS_TEXT = {
    "repairable": "可以申请信用修复",
    "not_yet": "暂不能申请信用修复",
    "not_repairable": "不适用信用修复",
}


@dataclass(frozen=True)
class Block:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class Sheet:
    title: str
    blocks: tuple[Block, ...]
    footer: tuple[str, ...]

    def __repr__(self) -> str:
        return f"Sheet({self.title})"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def objection_blocks(outcome: ObjectionOutcome) -> tuple[Block, ...]:
    """What the result screen and the receipt say of an objection."""
    if outcome.accepted is None:
        status = Block("受理状态", (QUEUED, f"登记号：{outcome.reference}"))
    else:
        status = Block(
            "受理结果",
            (
                f"受理编号：{outcome.accepted.acceptance_no}",
                f"答复期限：{_date(outcome.accepted.respond_by)}前",
            ),
        )
    details = [
        f"报告编号：{outcome.report_no}",
        f"异议记录：{outcome.record}",
        f"异议理由：{outcome.reason}",
    ]
    if outcome.phone_masked:
        details.append(f"联系电话：{outcome.phone_masked}")
    details.append(f"提交时间：{display_time(outcome.filed_at)}")
    return (status, Block("申请内容", tuple(details)))


def objection_sheet(outcome: ObjectionOutcome, terminal_id: str, printed_at: dt.datetime) -> Sheet:
    note = QUEUED_NOTE if outcome.accepted is None else ACCEPTED_NOTE
    return Sheet(
        OBJECTION_TITLE,
        objection_blocks(outcome),
        (note, f"终端编号：{terminal_id}", f"打印时间：{display_time(printed_at)}"),
    )


def _status_line(rule: RepairRule) -> str:
    text = STATUS_TEXT[rule.status]
    if rule.status == "not_yet" and rule.repairable_from is not None:
        return f"{text}，{_date(rule.repairable_from)}起可以申请"
    return text


def guidance_blocks(guidance: RepairOutcome) -> tuple[Block, ...]:
    """What the guidance screen and sheet say: only what the platform sent."""
    rule = guidance.rule
    record = Block("记录", (guidance.record, f"报告编号：{guidance.report_no}"))
    if rule is None:
        return (record, Block("能否修复", (NO_RULE,)))
    verdict = [_status_line(rule)]
    if rule.category:
        verdict.append(f"类别：{rule.category}")
    if rule.reason:
        verdict.append(rule.reason)
    blocks = [record, Block("能否修复", tuple(verdict))]
    # For a record that cannot be repaired, only what the platform sent (e.g. the court).
    applies = rule.status != "not_repairable"
    if rule.materials or applies:
        blocks.append(Block("需携带材料", rule.materials or (ASK_THE_WINDOW,)))
    if rule.where or applies:
        blocks.append(Block("办理途径", rule.where or (ASK_THE_WINDOW,)))
    return tuple(blocks)


def guidance_sheet(guidance: RepairOutcome, terminal_id: str, printed_at: dt.datetime) -> Sheet:
    return Sheet(
        GUIDANCE_TITLE,
        guidance_blocks(guidance),
        (GUIDANCE_NOTE, f"终端编号：{terminal_id}", f"打印时间：{display_time(printed_at)}"),
    )


def sheet_receipt(sheet: Sheet) -> Receipt:
    elements: list[ReceiptElement] = [
        Text(sheet.title, Align.CENTER, bold=True, large=True),
        Text(ISSUER, Align.CENTER),
    ]
    for block in sheet.blocks:
        elements += [Rule(), Text(block.heading, bold=True)]
        elements += [Text(line) for line in block.lines]
    elements.append(Rule())
    elements += [Text(line) for line in sheet.footer]
    return Receipt(tuple(elements))


def sheet_pdf(sheet: Sheet) -> bytes:
    """One A4 page (reportlab loads here, on the printer's worker, on first use)."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer

    from kiosk.documents.report_pdf import FONT, register_font

    register_font()

    def style(name: str, size: float, **extra: object) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=FONT, fontSize=size, leading=size * 1.5, wordWrap="CJK", **extra
        )

    title, issuer = (
        style("title", 20, alignment=TA_CENTER),
        style("issuer", 11, alignment=TA_CENTER),
    )
    heading, body, small = style("heading", 13, spaceBefore=10), style("body", 11), style("s", 9)
    story = [Paragraph(_escape(sheet.title), title), Paragraph(ISSUER, issuer), Spacer(1, 8 * mm)]
    for block in sheet.blocks:
        story.append(Paragraph(_escape(block.heading), heading))
        story += [Paragraph(_escape(f"· {line}"), body) for line in block.lines]
    story.append(Spacer(1, 8 * mm))
    story += [Paragraph(_escape(line), small) for line in sheet.footer]
    out = io.BytesIO()
    margin = 20 * mm
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=sheet.title,
        author=ISSUER,
        initialFontName=FONT,
        lang="zh-CN",
    )
    # One page whatever the platform sent: shrink to fit rather than run over.
    doc.build([KeepInFrame(doc.width, doc.height, story, mode="shrink")])
    return out.getvalue()


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)
