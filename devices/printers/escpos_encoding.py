"""Our own ESC/POS encoder: a ``Receipt`` in, the bytes a Chinese thermal printer expects out.

Chinese text is sent in kanji mode (``FS &``, GB18030 bytes, ``FS .``), which is what Chinese
printers understand; python-escpos's encoder does not do this (it turns ``（），。`` into
``?``). For printers without a Chinese font, ``has_chinese_font=False`` sends every line
holding non-ASCII text as a 1-bit raster image (``GS v 0``) drawn with our CJK font.

Layout works on a grid of half-width columns: ASCII counts 1, wide and fullwidth characters
(``unicodedata.east_asian_width`` W or F) count 2; a printer dot row is 12 dots per column
(32 columns = 384 dots on 58 mm paper, 48 columns = 576 dots on 80 mm paper).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator

from PIL import Image, ImageDraw, ImageFont

from devices.fonts import cjk_font_path
from devices.printers.receipt import Align, QrCode, Receipt, Rule, Text

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

INIT = ESC + b"@"
KANJI_ON = FS + b"&"
KANJI_OFF = FS + b"."
PARTIAL_CUT = GS + b"V" + bytes([66, 0])
"""GS V 66 0: feed to the cutter, then cut leaving a hinge."""
FEED_BEFORE_CUT = 3
DOTS_PER_COLUMN = 12
"""A half-width character cell is 12 x 24 dots."""
QR_MODULE_DOTS = 6
QR_MAX_BYTES = 7089


def char_width(char: str) -> int:
    """Columns one character takes on the receipt: 2 for wide/fullwidth, else 1."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def paper_dots(columns: int) -> int:
    """The printable width in dots: 384 for 32 columns, 576 for 48."""
    return columns * DOTS_PER_COLUMN


def text_columns(columns: int, large: bool) -> int:
    """Columns available to a text element: large text is double width."""
    return columns // 2 if large else columns


def _clean(text: str) -> str:
    """Control characters never reach the printer as commands: each becomes a space."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def wrap_text(text: str, columns: int) -> list[str]:
    """Split ``text`` into lines of at most ``columns`` display columns.

    ``\\n`` starts a new line. A line breaks at its last ASCII space when that space is in
    the line's second half (the space is dropped), otherwise between characters. Every line
    holds at least one character, so a character wider than ``columns`` still prints.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        rest = _clean(paragraph)
        while display_width(rest) > columns:
            cut, used = 0, 0
            while cut < len(rest) and used + char_width(rest[cut]) <= columns:
                used += char_width(rest[cut])
                cut += 1
            cut = max(cut, 1)
            space = rest.rfind(" ", cut // 2, cut + 1)
            if space > 0:
                lines.append(rest[:space])
                rest = rest[space + 1 :]
            else:
                lines.append(rest[:cut])
                rest = rest[cut:]
        lines.append(rest)
    return lines


def _runs(line: str) -> Iterator[tuple[bool, str]]:
    """Maximal runs of (is_ascii, text)."""
    start = 0
    for i in range(1, len(line) + 1):
        if i == len(line) or line[i].isascii() != line[start].isascii():
            yield line[start].isascii(), line[start:i]
            start = i


def encode_text_line(line: str) -> bytes:
    """One line of text: ASCII as is, every non-ASCII run in kanji mode as GB18030."""
    out = bytearray()
    for is_ascii, run in _runs(line):
        if is_ascii:
            out += run.encode("ascii")
        else:
            out += KANJI_ON + run.encode("gb18030") + KANJI_OFF
    return bytes(out) + LF


GLYPH_DOTS = 22
"""Font size for a 24-dot line: wqy-zenhei's Latin letters then stay inside a 12-dot cell."""


@functools.lru_cache(maxsize=4)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The CJK font at ``size`` pixels (the .ttc is large: load each size once)."""
    return ImageFont.truetype(str(cjk_font_path()), size, index=0)


def render_line_bitmap(
    line: str, columns: int, align: Align, bold: bool, large: bool
) -> Image.Image:
    """One text line as a 1-bit image the width of the paper, drawn on the column grid.

    Pixels set to 1 are ink (mode "1"), so ``tobytes()`` is already ESC/POS raster data.
    """
    scale = 2 if large else 1
    cell = DOTS_PER_COLUMN * scale
    font = cjk_font(GLYPH_DOTS * scale)
    ascent, descent = font.getmetrics()
    image = Image.new("1", (paper_dots(columns), ascent + descent), 0)
    draw = ImageDraw.Draw(image)
    used = display_width(line) * cell
    x = {Align.LEFT: 0, Align.CENTER: (image.width - used) // 2, Align.RIGHT: image.width - used}
    left = max(0, x[align])
    for char in line:
        width = char_width(char) * cell
        if not char.isspace():
            glyph = font.getlength(char)
            offset = left + max(0, (width - glyph) / 2)
            draw.text((offset, 0), char, font=font, fill=1, stroke_width=1 if bold else 0)
        left += width
    return image


def encode_raster(image: Image.Image) -> bytes:
    """``GS v 0``: print a 1-bit image, normal density."""
    if image.mode != "1" or image.width % 8:
        raise ValueError("raster images must be mode '1' and a multiple of 8 dots wide")
    width_bytes = image.width // 8
    header = GS + b"v0" + bytes([0])
    size = width_bytes.to_bytes(2, "little") + image.height.to_bytes(2, "little")
    return header + size + image.tobytes()


def _qr_command(fn: int, params: bytes) -> bytes:
    body = bytes([49, fn]) + params
    return GS + b"(k" + len(body).to_bytes(2, "little") + body


def encode_qr(data: str) -> bytes:
    """``GS ( k``: model 2, module size, error correction M, store the data, print it."""
    payload = data.encode("utf-8")
    if not payload or len(payload) > QR_MAX_BYTES:
        raise ValueError(f"QR data must be 1 to {QR_MAX_BYTES} bytes, got {len(payload)}")
    return (
        _qr_command(65, bytes([50, 0]))  # fn 165: model 2
        + _qr_command(67, bytes([QR_MODULE_DOTS]))  # fn 167: module size in dots
        + _qr_command(69, bytes([49]))  # fn 169: error correction M
        + _qr_command(80, b"0" + payload)  # fn 180: store
        + _qr_command(81, b"0")  # fn 181: print
    )


def _align(align: Align) -> bytes:
    return ESC + b"a" + bytes([align.value])


def _style(bold: bool, large: bool) -> bytes:
    return ESC + b"E" + bytes([1 if bold else 0]) + GS + b"!" + bytes([0x11 if large else 0])


def _encode_text(element: Text, columns: int, has_chinese_font: bool) -> bytes:
    out = bytearray(_align(element.align) + _style(element.bold, element.large))
    for line in wrap_text(element.text, text_columns(columns, element.large)):
        if has_chinese_font or line.isascii():
            out += encode_text_line(line)
        else:
            image = render_line_bitmap(line, columns, element.align, element.bold, element.large)
            out += _align(Align.LEFT) + encode_raster(image) + _align(element.align)
    return bytes(out + _style(False, False))


def encode_receipt(receipt: Receipt, columns: int, has_chinese_font: bool = True) -> bytes:
    """The whole print job for one receipt, from ``ESC @`` to the partial cut."""
    if columns < 8:
        raise ValueError("a receipt needs at least 8 columns")
    out = bytearray(INIT)
    for element in receipt.elements:
        if isinstance(element, Text):
            out += _encode_text(element, columns, has_chinese_font)
        elif isinstance(element, QrCode):
            out += _align(Align.CENTER) + encode_qr(element.data) + LF
        elif isinstance(element, Rule):
            out += _align(Align.LEFT) + b"-" * columns + LF
    out += _align(Align.LEFT) + ESC + b"d" + bytes([FEED_BEFORE_CUT]) + PARTIAL_CUT
    return bytes(out)
