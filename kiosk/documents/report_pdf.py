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
import re
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
from kiosk.report_summary import conclusion, in_force, is_removed

FONT = "WenQuanYiZenHei"
ISSUER = "新泰市社会信用中心"
ISSUER_SITE = "信用新泰"
QR_CAPTION = "扫码核验报告真伪"
NO_RECORDS = "无记录"
CONTINUED = "（续）"
END = "—— 报告结束 ——"
UNDER_OBJECTION = "异议处理中"
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
CONTINUED_BAND = 9 * mm
"""Room at the top of a page that continues a section, for its heading with （续）."""
WHOLE_TOKEN = re.compile("号|编号|日期|有效期|金额|截止期|年度")
"""Columns whose value is one token (a document number, a date, an amount): never broken."""
MIN_TOKEN_SIZE = 5.0
"""Smallest size a document number is set in to keep it on one line."""
SECOND_LINE = "#555555"
"""Colour of the second value in a two-line cell, so the eye tells the two apart."""
GRID = colors.Color(0.55, 0.55, 0.55)
HEADER_FILL = colors.Color(0.9, 0.92, 0.95)
GOOD = colors.Color(0.1, 0.45, 0.2)
WATERMARK = colors.Color(0.86, 0.86, 0.86)
ALERT = colors.Color(0.7, 0.05, 0.05)
CHINESE_NUMBERS = "一二三四五六七八九十"

# Relative column widths per table section, in SECTIONS' column order: text columns get room,
# dates stay just wide enough for "2024-05-01" and their headers. (Wide sections print as
# cards instead.)
COLUMN_WEIGHTS: dict[str, tuple[float, ...]] = {
    "basic": (1.0, 3.0),
    "red_list": (1.6, 2.4, 1.5, 1.0, 1.0),
    "commitment": (1.3, 2.5, 1.0, 1.5, 1.0),
    "honors": (2.5, 2.0, 1.0, 0.8),
    "volunteer": (2.5, 1.2, 1.0, 2.0),
    "tax_credit": (1.0, 1.2, 2.5),
    "repair": (2.5, 1.3, 1.0, 1.8),
    "other": (1.5, 3.0, 1.0, 1.6),
}
TWO_LINE: dict[str, tuple[tuple[tuple[str, str] | tuple[str], float], ...]] = {
    "admin_penalty": (
        (("行政处罚决定书文号", "处罚决定日期"), 2.1),
        (("违法行为类型", "处罚类别"), 1.5),
        (("违法事实", "处罚依据"), 2.2),
        (("处罚内容", "罚款金额(万元)"), 1.7),
        (("处罚机关", "公示截止期"), 1.5),
    ),
    "admin_license": (
        (("行政许可决定文书号", "许可决定日期"), 1.9),
        (("许可证书名称", "许可编号"), 2.4),
        (("许可类别", "许可内容"), 1.8),
        (("有效期自", "有效期至"), 1.1),
        (("许可机关",), 1.6),
    ),
    "black_list": (
        (("名单名称", "当前状态"), 1.6),
        (("案号/文号", "执行依据文号"), 2.1),
        (("失信行为具体情形", "履行情况"), 2.3),
        (("认定单位/执行法院",), 1.5),
        (("列入(发布)日期", "移出日期"), 1.2),
    ),
}
"""Sections with too many columns for one line each: every record is one table row of
two-line cells (the first value, and the second below it in grey)."""


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
        self.heading = _style("heading", 12, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        self.body = _style("body", 9.5)
        self.cell = _style("cell", 8.5)
        self.head_cell = _style("head_cell", 8.5, alignment=TA_CENTER)
        self.caption = _style("caption", 9, alignment=TA_CENTER)
        self.empty = _style("empty", 9.5, textColor=colors.Color(0.35, 0.35, 0.35))
        self.conclusion = _style("conclusion", 12, spaceAfter=2)


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """Text as it is: markup characters escaped, line breaks kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


# A unit line breaking keeps whole: a run of digits and Latin letters (with a bracketed
# year before or 号/元 after it), or one other character; closing punctuation sticks to the
# unit before it.
_UNIT = re.compile(
    r"(?:[〔（(]?[0-9A-Za-z][0-9A-Za-z.\-/:*]*[〕）)]?[号元]?|.)[，。、；：）〕》”！？]*"
)


def _lines(text: str, width: float, size: float) -> list[str]:
    """``text`` broken into lines no wider than ``width``, never inside a number or code
    (reportlab's CJK wrapping would break anywhere, "1730" into "17" / "30")."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for unit in _UNIT.findall(paragraph):
            advance = pdfmetrics.stringWidth(unit, FONT, size)
            if line and used + advance > width:
                lines.append(line)
                line, used = "", 0.0
            line += unit
            used += advance
        lines.append(line)
    return lines


def _markup(text: str, width: float, size: float, whole: bool = False) -> str:
    """Paragraph markup of ``text`` wrapped within ``width`` between units; ``whole``: one
    token (a document number, a date) kept on one line, in a smaller size if it must."""
    room = width - 2 * CELL_PAD - 1  # 1 pt for reportlab's rounding
    if whole and "\n" not in text:
        needed = pdfmetrics.stringWidth(text, FONT, size)
        if needed > room:
            fitted = max(MIN_TOKEN_SIZE, size * room / needed)
            lines = _lines(text, room, fitted)
            return f'<font size="{fitted:.2f}">' + "<br/>".join(map(escape, lines)) + "</font>"
    return "<br/>".join(escape(line) for line in _lines(text, room, size))


def _value(text: str, width: float, style: ParagraphStyle, whole: bool = False) -> Paragraph:
    return Paragraph(_markup(text, width, style.fontSize, whole), style)


def _cell(text: str, width: float, style: ParagraphStyle, whole: bool = False) -> str | Paragraph:
    """A plain string when it fits on one line (much faster), else a wrapping Paragraph."""
    if "\n" not in text and (
        pdfmetrics.stringWidth(text, FONT, style.fontSize) <= width - 2 * CELL_PAD
    ):
        return text
    return _value(text, width, style, whole)


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


def _groups(section: Section) -> tuple[tuple[tuple[str, ...], float], ...]:
    """The table's columns: one or two of the section's columns each, with their weight."""
    if section.key in TWO_LINE:
        return TWO_LINE[section.key]
    weights = COLUMN_WEIGHTS.get(section.key, ())
    if len(weights) != len(section.columns):
        weights = (1.0,) * len(section.columns)
    return tuple(
        ((column,), weight) for column, weight in zip(section.columns, weights, strict=True)
    )


def _section_table(section: Section, styles: _Styles) -> Table:
    groups = _groups(section)
    total = sum(weight for _, weight in groups)
    widths = [BODY_WIDTH * weight / total for _, weight in groups]
    size = styles.cell.fontSize
    grey = f'<font color="{SECOND_LINE}">'
    header = [
        Paragraph(
            "<br/>".join(
                escape(name) if n == 0 else grey + escape(name) + "</font>"
                for n, name in enumerate(names)
            ),
            styles.head_cell,
        )
        for names, _ in groups
    ]
    marks = _marks(section)
    body: list[list[str | Paragraph]] = []
    for index, row in enumerate(section.rows):
        cells: list[str | Paragraph] = []
        for (names, _), width in zip(groups, widths, strict=True):
            values = [row[section.columns.index(name)] for name in names]
            whole = [bool(WHOLE_TOKEN.search(name)) for name in names]
            if len(names) == 1 and not (index in marks and not cells):
                cells.append(_cell(values[0], width, styles.cell, whole[0]))
                continue
            markup = _markup(values[0], width, size, whole[0])
            if len(names) == 2:
                markup += "<br/>" + grey + _markup(values[1], width, size, whole[1]) + "</font>"
            if index in marks and not cells:  # a row's marks go under its first cell
                markup += "<br/>" + escape(f"（{marks[index]}）")
            cells.append(Paragraph(markup, styles.cell))
        body.append(cells)
    table = Table([header, *body], colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=24)
    table.setStyle(TableStyle(_grid_style()))
    return table


def _marks(section: Section) -> dict[int, str]:
    """What a row carries besides its columns: 已移出 (a list entry no longer in force) and
    异议处理中 (``objections``, a field the platform may add to a section)."""
    marks: dict[int, list[str]] = {}
    for index in range(len(section.rows)):
        if is_removed(section, index):
            marks.setdefault(index, []).append("已移出，不计为当前记录")
    for index in getattr(section, "objections", ()):
        marks.setdefault(index, []).append(UNDER_OBJECTION)
    return {index: "，".join(found) for index, found in marks.items()}


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


def _conclusion_block(report: CreditReport, service_window: str, styles: _Styles) -> Table:
    said = conclusion(report, service_window)
    colour = ALERT if said.needs_attention else GOOD
    headline = ParagraphStyle("headline", parent=styles.conclusion, textColor=colour)
    rows = [[_para(said.headline, headline)]]
    rows += [[_para(detail, styles.body)] for detail in said.details]
    rows += [[_para("您可以：" + " ".join(said.next_steps), styles.body)]]
    table = Table(rows, colWidths=[BODY_WIDTH])
    table.setStyle(
        TableStyle(
            [
                *PLAIN,
                ("BOX", *ALL, 1.2, colour),
                ("LEFTPADDING", *ALL, 8),
                ("RIGHTPADDING", *ALL, 8),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        )
    )
    return table


def _section_heading(number: int, section: Section) -> str:
    count = f"共 {len(section.rows)} 条"
    removed = len(section.rows) - in_force(section)
    if removed:
        count += f"，其中 {removed} 条已移出"
    return f"{_chinese_number(number)}、{section.title}（{count}）"


class _SectionMark(Flowable):  # type: ignore[misc]
    """Takes no room; tells the document a section starts (``title``) or ends (None), so
    a page that continues a section repeats its heading with （续）."""

    def __init__(self, title: str | None) -> None:
        super().__init__()
        self.title = title
        self.keepWithNext = title is not None  # a heading stays with the section's first rows

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def _story(
    report: CreditReport, terminal_id: str, printed_at: dt.datetime, url: str, service_window: str
) -> list[Flowable]:
    styles = _Styles()
    story: list[Flowable] = [
        _para(report_title(report), styles.title),
        _para(f"出具机构：{ISSUER}（{ISSUER_SITE}）", styles.issuer),
        _subject_block(report, terminal_id, printed_at, url, styles),
        _para("报告结论", styles.heading),
        _conclusion_block(report, service_window, styles),
        _para("信息概要", styles.heading),
        _summary_table(report),
    ]
    for number, section in enumerate(report.sections, start=1):
        heading = _section_heading(number, section)
        story.append(CondPageBreak(SECTION_START_MIN))
        story.append(_para(heading, styles.heading))
        if not section.rows:
            story.append(_para(NO_RECORDS, styles.empty))
            continue
        story.append(_SectionMark(f"{_chinese_number(number)}、{section.title}"))
        story.append(_section_table(section, styles))
        story.append(_SectionMark(None))
    story.append(CondPageBreak(SECTION_START_MIN))
    story.append(_para("说明", styles.heading))
    story += [_para(f"{i}. {note}", styles.body) for i, note in enumerate(NOTES, start=1)]
    story.append(Spacer(1, 10))
    story.append(_para(END, styles.caption))
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
        self.continued: str | None = None
        """The heading of the section a page break falls in (None: between sections)."""

    def on_continued_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self.on_page(canvas, doc)
        if self.continued is None:
            return
        canvas.saveState()
        canvas.setFont(FONT, 12)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - MARGIN_TOP - 12, self.continued + CONTINUED)
        canvas.restoreState()

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


class _ReportDoc(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, out: io.BytesIO, chrome: _PageChrome, **options: Any) -> None:
        super().__init__(out, **options)
        self.chrome = chrome

    def afterFlowable(self, flowable: Flowable) -> None:
        """Pages from here on continue the section just started, or none."""
        if isinstance(flowable, _SectionMark):
            self.chrome.continued = flowable.title
            self.handle_nextPageTemplate("page" if flowable.title is None else "continued")


def build_report_pdf(
    report: CreditReport,
    *,
    terminal_id: str,
    printed_at: dt.datetime,
    verify_url: str,
    service_window: str = "",
) -> bytes:
    """The full A4 report. The PDF's metadata names the report number, never the person.
    ``service_window``: the hall's window the conclusion sends residents to for help."""
    register_font()
    out = io.BytesIO()
    chrome = _PageChrome(report, terminal_id, printed_at)
    doc = _ReportDoc(
        out,
        chrome,
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

    def body(height: float) -> Frame:
        return Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

    doc.addPageTemplates(
        [
            PageTemplate(id="page", frames=[body(doc.height)], onPage=chrome.on_page),
            PageTemplate(
                id="continued",
                frames=[body(doc.height - CONTINUED_BAND)],
                onPage=chrome.on_continued_page,
            ),
        ]
    )
    story = _story(report, terminal_id, printed_at, verify_url, service_window)
    doc.build(story, canvasmaker=_numbered_canvas(chrome))
    return out.getvalue()
