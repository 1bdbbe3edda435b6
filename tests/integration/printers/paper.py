"""What a thermal printer would put on paper for a stream of ESC/POS bytes, as a PNG.

Raster lines (``GS v 0``) are pasted bit for bit from the bytes; QR codes are drawn from
the stored payload; text lines are drawn with the CJK font on the printer's column grid
(a printer's own font looks different, the layout is the same).
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageOps

from devices.printers.escpos_encoding import paper_dots, render_line_bitmap
from devices.printers.receipt import Align
from tests.escpos_decoder import decode

GAP = 6
MARGIN = 24


def _qr(data: bytes, module: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)), 0)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x, y), 1)
    return image.resize((image.width * module, image.height * module), Image.Resampling.NEAREST)


def render_paper(job: bytes, columns: int) -> bytes:
    """The receipt these bytes print, as a PNG of ``columns * 12`` dots plus margins."""
    decoded = decode(job)
    width = paper_dots(columns)
    rows: list[Image.Image] = []
    lines, rasters, qrs = iter(decoded.lines), iter(decoded.rasters), iter(decoded.qr_codes)
    for op in decoded.ops:
        if op == "lf":
            line = next(lines)
            rows.append(
                render_line_bitmap(line.text, columns, Align(line.align), line.bold, line.large)
            )
        elif op == "raster":
            raster = next(rasters)
            size = (raster.width_dots, raster.height)
            rows.append(Image.frombytes("1", size, raster.data))
        elif op == "qr":
            qr = next(qrs)
            code = _qr(qr.data, qr.module_size or 6)
            row = Image.new("1", (width, code.height), 0)
            row.paste(code, ((width - code.width) // 2, 0))
            rows.append(row)
    height = sum(r.height + GAP for r in rows) + 2 * MARGIN
    ink = Image.new("1", (width + 2 * MARGIN, height), 0)
    top = MARGIN
    for row in rows:
        ink.paste(row, (MARGIN, top))
        top += row.height + GAP
    paper = ImageOps.invert(ink.convert("L"))
    out = io.BytesIO()
    paper.save(out, format="PNG", optimize=True)
    return out.getvalue()
