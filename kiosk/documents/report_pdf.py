"""The A4 public credit information report (公共信用信息报告) as a PDF, built with reportlab.

Every page carries a header (report number, verify code), a footer (第 x 页 / 共 y 页, drawn
in a second pass once the page count is known) and a light diagonal watermark naming the
terminal and the print time. Page 1 holds the title, the subject, a QR code that verifies
the report online and a summary; then each section follows as a table whose header row
repeats on every page it spans. The wqy-zenhei font is embedded (subset).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from devices.fonts import cjk_font_path
from kiosk.contract import CreditReport, Section
from kiosk.report_model import display_time, report_title, subject_facts

FONT = "WenQuanYiZenHei"
ISSUER = "新泰市社会信用中心"
ISSUER_SITE = "信用新泰"
QR_CAPTION = "扫码核验报告真伪"
NO_RECORDS = "无记录"
NOTES = (
    "本报告依据出具时点信用信息平台归集的公共信用信息生成，仅供信息主体本人查询参考，"
    "不作为其他用途的证明。",
    "本报告可通过扫描首页二维码，或登录“信用新泰”网站输入报告编号和核验码，核验真伪。",
    "信息主体对报告内容有异议的，可向新泰市社会信用中心提出异议申请；符合条件的失信信息，"
    "可通过“信用中国”网站或“信用新泰”网站申请信用修复。",
    "本报告由自助终端打印，水印标明打印终端和打印时间。",
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
CELL_PAD = 3
QR_SIZE = 32 * mm
SECTION_START_MIN = 35 * mm
"""A section heading starts a new page unless this much room is left for its first rows."""
GRID = colors.Color(0.55, 0.55, 0.55)
HEADER_FILL = colors.Color(0.9, 0.92, 0.95)
WATERMARK = colors.Color(0.86, 0.86, 0.86)
ALERT = colors.Color(0.7, 0.05, 0.05)
CHINESE_NUMBERS = "一二三四五六七八九十"

# Relative column widths per section, in SECTIONS' column order: text columns get room,
# dates stay just wide enough for "2024-05-01" and their headers.
COLUMN_WEIGHTS: dict[str, tuple[float, ...]] = {
    "basic": (1.0, 3.0),
    "admin_license": (2.0, 0.75, 2.1, 1.05, 1.05, 1.65),
    "admin_penalty": (1.9, 1.5, 0.75, 1.8, 1.05, 1.65),
    "red_list": (1.6, 2.4, 1.5, 1.0, 1.0),
    "black_list": (1.6, 1.8, 1.5, 1.0, 1.0),
    "commitment": (1.3, 2.5, 1.0, 1.5, 1.0),
    "honors": (2.5, 2.0, 1.0, 0.8),
    "volunteer": (2.5, 1.2, 1.0, 2.0),
    "tax_credit": (1.0, 1.2, 2.5),
    "repair": (2.5, 1.3, 1.0, 1.8),
    "other": (1.5, 3.0, 1.0, 1.6),
}


@functools.cache
def register_font() -> str:
    """Register wqy-zenhei with reportlab once; reportlab embeds the glyphs it uses."""
    pdfmetrics.registerFont(TTFont(FONT, str(cjk_font_path()), subfontIndex=0))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


def _style(name: str, size: float, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=size * 1.35, wordWrap="CJK", **extra
    )


class _Styles:
    def __init__(self) -> None:
        self.title = _style("title", 22, alignment=TA_CENTER, spaceAfter=6)
        self.issuer = _style("issuer", 10.5, alignment=TA_CENTER, spaceAfter=10)
        self.heading = _style("heading", 12, spaceBefore=10, spaceAfter=4)
        self.body = _style("body", 9.5)
        self.cell = _style("cell", 8.5)
        self.head_cell = _style("head_cell", 8.5, alignment=TA_CENTER)
        self.caption = _style("caption", 9, alignment=TA_CENTER)
        self.empty = _style("empty", 9.5, textColor=colors.Color(0.35, 0.35, 0.35))


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """Text as it is: markup characters escaped, line breaks kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _cell(text: str, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A plain string when it fits on one line (much faster), else a wrapping Paragraph."""
    if "\n" not in text and (
        pdfmetrics.stringWidth(text, FONT, style.fontSize) <= width - 2 * CELL_PAD
    ):
        return text
    return _para(text, style)


ALL = ((0, 0), (-1, -1))
PLAIN: list[tuple[Any, ...]] = [("FONT", *ALL, FONT, 8.5)]
"""For layout tables: without it reportlab would reference (unembedded) Helvetica."""


def _ruled_style() -> list[tuple[Any, ...]]:
    """A ruled table of 8.5 pt text."""
    return [
        ("FONT", *ALL, FONT, 8.5, 8.5 * 1.35),
        ("GRID", *ALL, 0.5, GRID),
        ("VALIGN", *ALL, "TOP"),
        ("LEFTPADDING", *ALL, CELL_PAD),
        ("RIGHTPADDING", *ALL, CELL_PAD),
        ("TOPPADDING", *ALL, 2.5),
        ("BOTTOMPADDING", *ALL, 3),
    ]


def _grid_style() -> list[tuple[Any, ...]]:
    """A ruled table whose first row is a shaded header."""
    return [
        *_ruled_style(),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
    ]


def _column_widths(section: Section) -> list[float]:
    weights = COLUMN_WEIGHTS.get(section.key, ())
    if len(weights) != len(section.columns):
        weights = (1.0,) * len(section.columns)
    total = sum(weights)
    return [BODY_WIDTH * w / total for w in weights]


def _section_table(section: Section, styles: _Styles) -> Table:
    widths = _column_widths(section)
    header = [_para(c, styles.head_cell) for c in section.columns]
    body = [
        [_cell(text, w, styles.cell) for text, w in zip(row, widths, strict=True)]
        for row in section.rows
    ]
    table = Table([header, *body], colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=24)
    table.setStyle(TableStyle(_grid_style()))
    return table


def _qr_code(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    scale = [QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=scale, initialFontName=FONT)
    drawing.add(widget)
    return drawing


def _subject_block(
    report: CreditReport, terminal_id: str, printed_at: dt.datetime, url: str, styles: _Styles
) -> Table:
    facts = [
        *subject_facts(report, report.subject_name),
        ("报告编号", report.report_no),
        ("核验码", report.verify_code),
        ("出具时间", display_time(report.issued_at)),
        ("打印时间", display_time(printed_at)),
        ("打印终端", terminal_id),
    ]
    label_w = 30 * mm  # fits 统一社会信用代码 on one line
    value_w = BODY_WIDTH - QR_SIZE - 14 * mm - label_w
    info = Table(
        [[_para(k, styles.cell), _para(v, styles.body)] for k, v in facts],
        colWidths=[label_w, value_w],
    )
    info.setStyle(
        TableStyle(
            [
                *_ruled_style(),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL),
                ("VALIGN", *ALL, "MIDDLE"),
            ]
        )
    )
    qr = Table([[_qr_code(url)], [_para(QR_CAPTION, styles.caption)]], colWidths=[QR_SIZE + 8])
    qr.setStyle(TableStyle([*PLAIN, ("ALIGN", *ALL, "CENTER"), ("LEFTPADDING", *ALL, 0)]))
    outer = Table([[info, qr]], colWidths=[label_w + value_w + 6 * mm, QR_SIZE + 8 * mm])
    outer.setStyle(
        TableStyle(
            [
                *PLAIN,
                ("VALIGN", *ALL, "MIDDLE"),
                ("LEFTPADDING", *ALL, 0),
                ("RIGHTPADDING", *ALL, 0),
            ]
        )
    )
    return outer


def _list_status(on_list: bool) -> str:
    return "在列" if on_list else "未列入"


def _summary_table(report: CreditReport) -> Table:
    cells: list[tuple[str, str]] = [(s.title, f"{len(s.rows)} 条") for s in report.sections]
    cells += [
        ("红名单状态", _list_status(report.on_red_list)),
        ("黑名单状态", _list_status(report.on_black_list)),
    ]
    if len(cells) % 2:
        cells.append(("", ""))
    rows = [["信息类别", "记录条数", "信息类别", "记录条数"]]
    rows += [[*cells[i], *cells[i + 1]] for i in range(0, len(cells), 2)]
    width = BODY_WIDTH / 2
    table = Table(rows, colWidths=[width * 0.65, width * 0.35] * 2, repeatRows=1)
    commands = _grid_style()
    commands.append(("ALIGN", (1, 0), (1, -1), "CENTER"))
    commands.append(("ALIGN", (3, 0), (3, -1), "CENTER"))
    commands.append(("ALIGN", (0, 0), (-1, 0), "CENTER"))
    if report.on_black_list:  # its cell is the last of ``cells`` before padding
        row, col = divmod(len(report.sections) + 1, 2)
        commands.append(("TEXTCOLOR", (col * 2 + 1, row + 1), (col * 2 + 1, row + 1), ALERT))
    table.setStyle(TableStyle(commands))
    return table


def _story(
    report: CreditReport, terminal_id: str, printed_at: dt.datetime, url: str
) -> list[Flowable]:
    styles = _Styles()
    story: list[Flowable] = [
        _para(report_title(report), styles.title),
        _para(f"出具机构：{ISSUER}（{ISSUER_SITE}）", styles.issuer),
        _subject_block(report, terminal_id, printed_at, url, styles),
        _para("信息概要", styles.heading),
        _summary_table(report),
    ]
    for number, section in enumerate(report.sections, start=1):
        story.append(CondPageBreak(SECTION_START_MIN))
        story.append(
            _para(
                f"{_chinese_number(number)}、{section.title}（共 {len(section.rows)} 条）",
                styles.heading,
            )
        )
        if section.rows:
            story.append(_section_table(section, styles))
        else:
            story.append(_para(NO_RECORDS, styles.empty))
    story.append(CondPageBreak(SECTION_START_MIN))
    story.append(_para("说明", styles.heading))
    story += [_para(f"{i}. {note}", styles.body) for i, note in enumerate(NOTES, start=1)]
    story.append(Spacer(1, 6))
    return story


def _chinese_number(n: int) -> str:
    """1..99 as Chinese numerals: 一, 十, 十一, 二十三."""
    tens, ones = divmod(n, 10)
    text = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMBERS[tens - 1] + "十")
    return text + (CHINESE_NUMBERS[ones - 1] if ones else "")


class _PageChrome:
    """What every page carries besides the story: header, watermark and footer."""

    def __init__(self, report: CreditReport, terminal_id: str, printed_at: dt.datetime) -> None:
        self.title = report_title(report)
        self.header_right = f"报告编号：{report.report_no}    核验码：{report.verify_code}"
        self.watermark = f"{terminal_id}  {display_time(printed_at)}"
        self.footer_left = f"{ISSUER}（{ISSUER_SITE}）"

    def on_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Drawn before the page's content: the watermark lies under the tables."""
        canvas.saveState()
        canvas.setFillColor(WATERMARK)
        canvas.setFont(FONT, 22)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(35)
        for offset in (-200, 0, 200):
            canvas.drawCentredString(0, offset, self.watermark)
        canvas.restoreState()
        canvas.saveState()
        top = PAGE_HEIGHT - 13 * mm
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canvas.drawString(MARGIN_X, top, self.title)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, top, self.header_right)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        canvas.restoreState()

    def footer(self, canvas: Canvas, page: int, total: int) -> None:
        y = 10 * mm
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canvas.drawString(MARGIN_X, y, self.footer_left)
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, y, f"第 {page} 页 / 共 {total} 页")
        canvas.restoreState()


def _numbered_canvas(chrome: _PageChrome) -> type[Canvas]:
    """A canvas that keeps every page until ``save`` so the footer can say 共 y 页."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, page in enumerate(self._pages, start=1):
                self.__dict__.update(page)
                chrome.footer(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def build_report_pdf(
    report: CreditReport, *, terminal_id: str, printed_at: dt.datetime, verify_url: str
) -> bytes:
    """The full A4 report. The PDF's metadata names the report number, never the person."""
    register_font()
    out = io.BytesIO()
    chrome = _PageChrome(report, terminal_id, printed_at)
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{chrome.title} {report.report_no}",
        author=ISSUER,
        subject=chrome.title,
        creator=f"taihaoban-kiosk {terminal_id}",
        lang="zh-CN",
        initialFontName=FONT,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=chrome.on_page)])
    doc.build(
        _story(report, terminal_id, printed_at, verify_url), canvasmaker=_numbered_canvas(chrome)
    )
    return out.getvalue()
