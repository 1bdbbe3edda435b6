"""A picture of the printed receipt: what the simulated printer "prints" and people look at.

It lays text out exactly as the encoder does (same wrapping, same 12-dot column grid, same
font), so the picture shows what a printer with a Chinese font would put on the paper.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw, ImageOps

from devices.printers.escpos_encoding import (
    QR_MODULE_DOTS,
    paper_dots,
    render_line_bitmap,
    text_columns,
    wrap_text,
)
from devices.printers.receipt import QrCode, Receipt, Rule, Text

MARGIN_DOTS = 24
LINE_GAP_DOTS = 6
QR_QUIET_MODULES = 2


def _qr_image(data: str) -> Image.Image:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=QR_MODULE_DOTS,
        border=QR_QUIET_MODULES,
    )
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix) * QR_MODULE_DOTS
    image = Image.new("1", (size, size), 0)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                left, top = x * QR_MODULE_DOTS, y * QR_MODULE_DOTS
                box = (left, top, left + QR_MODULE_DOTS - 1, top + QR_MODULE_DOTS - 1)
                draw.rectangle(box, fill=1)
    return image


def _rule_image(columns: int) -> Image.Image:
    """A dashed line like the encoder's row of '-'."""
    image = Image.new("1", (paper_dots(columns), 24), 0)
    draw = ImageDraw.Draw(image)
    for x in range(0, image.width, 12):
        draw.line((x + 2, 12, x + 9, 12), fill=1, width=2)
    return image


def _element_images(element: Text | QrCode | Rule, columns: int) -> list[Image.Image]:
    if isinstance(element, Text):
        lines = wrap_text(element.text, text_columns(columns, element.large))
        return [
            render_line_bitmap(line, columns, element.align, element.bold, element.large)
            for line in lines
        ]
    if isinstance(element, QrCode):
        qr = _qr_image(element.data)
        row = Image.new("1", (paper_dots(columns), qr.height), 0)
        row.paste(qr, (max(0, (row.width - qr.width) // 2), 0))
        return [row]
    return [_rule_image(columns)]


def render_receipt_png(receipt: Receipt, columns: int) -> bytes:
    """The receipt as a PNG: white paper, black ink, ``columns * 12`` dots wide plus margins."""
    images = [img for el in receipt.elements for img in _element_images(el, columns)]
    width = paper_dots(columns)
    height = sum(img.height + LINE_GAP_DOTS for img in images) + 2 * MARGIN_DOTS
    ink = Image.new("1", (width + 2 * MARGIN_DOTS, height), 0)
    top = MARGIN_DOTS
    for img in images:
        ink.paste(img, (MARGIN_DOTS, top))
        top += img.height + LINE_GAP_DOTS
    paper = ImageOps.invert(ink.convert("L")).convert("1")
    out = io.BytesIO()
    paper.save(out, format="PNG", optimize=True)
    return out.getvalue()
