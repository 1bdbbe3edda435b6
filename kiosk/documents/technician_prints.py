"""The technician's test prints: a receipt slip and an A4 page that show at a glance whether
the printer prints Chinese (a rare character, 䶮, included), a scannable QR code, straight
lines and true lengths (a ruler), and which terminal printed them when."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from devices.printers.receipt import Align, QrCode, Receipt, Rule, Text
from kiosk.documents.report_pdf import register_font

SAMPLE_TEXT = "中文测试：信用新泰 䶮 龑 赟 喆（），。"
"""Common and rare characters (䶮 is outside the basic CJK block) and full-width punctuation."""
RECEIPT_TITLE = "凭条打印测试"
A4_TITLE = "A4 打印测试页"
RULER_COLUMNS = (32, 48)
"""A ruler of 32 and one of 48 half-width columns: 58 mm paper holds the first on one line,
80 mm paper both."""
RULER_MM = 180


def qr_test_data(terminal_id: str, printed_at: dt.datetime) -> str:
    """What the test QR code holds: scanning it shows the terminal and the time."""
    return f"taihaoban-kiosk test {terminal_id} {printed_at.isoformat(timespec='seconds')}"


def _stamp(printed_at: dt.datetime) -> str:
    return printed_at.strftime("%Y-%m-%d %H:%M:%S")


def ruler(columns: int) -> str:
    """``1234567890123…``: each digit one half-width column."""
    return "".join(str(i % 10) for i in range(1, columns + 1))


def build_test_receipt(terminal_id: str, printed_at: dt.datetime) -> Receipt:
    return Receipt(
        (
            Text(RECEIPT_TITLE, Align.CENTER, bold=True, large=True),
            Rule(),
            Text(f"终端编号：{terminal_id}"),
            Text(f"打印时间：{_stamp(printed_at)}"),
            Text(SAMPLE_TEXT),
            Text("ASCII 0123456789 ABCDEFG abcdefg"),
            Rule(),
            *(Text(ruler(columns)) for columns in RULER_COLUMNS),
            Text("刻度尺：58毫米纸第一行排满一行，80毫米纸两行都排满一行"),
            Rule(),
            QrCode(qr_test_data(terminal_id, printed_at)),
            Text("扫码应显示终端编号和打印时间", Align.CENTER),
            Rule(),
        )
    )


def build_test_page_pdf(terminal_id: str, printed_at: dt.datetime) -> bytes:
    """One A4 page: title, terminal and time, the Chinese sample, a QR code, a millimetre
    ruler along the top and a frame 10 mm inside the paper's edge."""
    font = register_font()
    width, height = A4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=font)
    canvas.setTitle(f"{A4_TITLE} {terminal_id}")
    canvas.setCreator(f"taihaoban-kiosk {terminal_id}")
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    _draw_ruler(canvas, 15 * mm, height - 25 * mm, font)
    canvas.setFont(font, 24)
    canvas.drawString(20 * mm, height - 50 * mm, A4_TITLE)
    canvas.setFont(font, 14)
    lines = (
        f"终端编号：{terminal_id}",
        f"打印时间：{_stamp(printed_at)}",
        SAMPLE_TEXT,
        "ASCII 0123456789 ABCDEFG abcdefg",
        f"上方刻度尺全长 {RULER_MM} 毫米，可用直尺核对；边框距纸边 10 毫米。",
        "右侧二维码扫码应显示终端编号和打印时间。",
    )
    for index, line in enumerate(lines):
        canvas.drawString(20 * mm, height - (65 + 10 * index) * mm, line)
    _draw_qr(canvas, qr_test_data(terminal_id, printed_at), width - 70 * mm, height - 100 * mm)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_ruler(canvas: Canvas, x: float, y: float, font: str) -> None:
    canvas.setLineWidth(0.3)
    canvas.line(x, y, x + RULER_MM * mm, y)
    canvas.setFont(font, 7)
    for millimetre in range(RULER_MM + 1):
        tick = 5 * mm if millimetre % 10 == 0 else (3.5 * mm if millimetre % 5 == 0 else 2 * mm)
        canvas.line(x + millimetre * mm, y, x + millimetre * mm, y - tick)
        if millimetre % 10 == 0:
            canvas.drawCentredString(x + millimetre * mm, y - 8 * mm, str(millimetre // 10))
    canvas.drawString(x, y - 13 * mm, "刻度单位：厘米")


def _draw_qr(canvas: Canvas, data: str, x: float, y: float) -> None:
    size = 45 * mm
    widget = QrCodeWidget(data, barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)
