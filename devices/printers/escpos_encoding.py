"""Our ESC/POS encoder: a ``Receipt`` in, the bytes a Chinese thermal printer expects out.

The commands come from python-escpos (its ``Dummy`` printer collects them: ``set`` for
alignment, bold and size, ``qr``, ``image``, ``cut``). The text is ours: Chinese text goes in
kanji mode (``FS &``, GB18030 bytes, ``FS .``), which is what Chinese printers understand;
python-escpos's ``text()`` does not do this (it turns ``（），。`` into ``?``). For printers
without a Chinese font, ``has_chinese_font=False`` sends every line holding non-ASCII text as
a 1-bit raster image (``GS v 0``) drawn with our CJK font.

Layout works on a grid of half-width columns: ASCII counts 1, wide and fullwidth characters
(``unicodedata.east_asian_width`` W or F) count 2; a printer dot row is 12 dots per column
(32 columns = 384 dots on 58 mm paper, 48 columns = 576 dots on 80 mm paper).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from typing import Any

from PIL import Image, ImageDraw, ImageFont, ImageOps

from devices.fonts import cjk_font_path
from devices.printers.escpos_library import escpos_module
from devices.printers.receipt import Align, QrCode, Receipt, Rule, Text

FS = b"\x1c"
LF = b"\n"
KANJI_ON = FS + b"&"
KANJI_OFF = FS + b"."
CUT_FEED_LINES = 6
"""Lines python-escpos's ``cut()`` feeds first, so the last line clears the cutter."""
DOTS_PER_COLUMN = 12
"""A half-width character cell is 12 x 24 dots."""
QR_MODULE_DOTS = 6
QR_MAX_BYTES = 7089
CUTTERS = ("partial", "full", "none")
_ALIGN = {Align.LEFT: "left", Align.CENTER: "center", Align.RIGHT: "right"}


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


def _printer(columns: int, cutter: str) -> Any:
    """A python-escpos ``Dummy`` for this paper: its profile knows the width in dots (for
    ``image()``) and which cut the printer has (``cut()`` then sends that one, or only feeds)."""
    capabilities = escpos_module("capabilities")
    media = {"width": {"pixels": paper_dots(columns)}}
    paper = type(
        "ReceiptPaper",
        (capabilities.Profile,),
        {"profile_data": {**capabilities.Profile.profile_data, "media": media}},
    )
    features = {"paperPartCut": cutter == "partial", "paperFullCut": cutter == "full"}
    return escpos_module("printer.dummy").Dummy(profile=paper(columns=columns, features=features))


def _text(printer: Any, data: bytes) -> None:
    # python-escpos's text() cannot send kanji mode (FS &) with GB18030 (TESTBED.md): our bytes.
    printer._raw(data)


def _align(printer: Any, align: Align) -> None:
    printer.set(align=_ALIGN[align])


def _style(printer: Any, bold: bool, large: bool) -> None:
    size = 2 if large else 1
    printer.set(bold=bold, custom_size=True, width=size, height=size)


def _encode_text(printer: Any, element: Text, columns: int, has_chinese_font: bool) -> None:
    _align(printer, element.align)
    _style(printer, element.bold, element.large)
    for line in wrap_text(element.text, text_columns(columns, element.large)):
        if has_chinese_font or line.isascii():
            _text(printer, encode_text_line(line))
        else:
            image = render_line_bitmap(line, columns, element.align, element.bold, element.large)
            _align(printer, Align.LEFT)  # the image is as wide as the paper, aligned inside
            paper = ImageOps.invert(image.convert("L"))  # python-escpos wants black on white
            printer.image(paper, impl="bitImageRaster")
            _align(printer, element.align)
    _style(printer, bold=False, large=False)


def _encode_qr(printer: Any, data: str) -> None:
    """Model 2, error correction M, printed by the printer from the data (``GS ( k``)."""
    size = len(data.encode("utf-8"))
    if not 1 <= size <= QR_MAX_BYTES:
        raise ValueError(f"QR data must be 1 to {QR_MAX_BYTES} bytes, got {size}")
    _align(printer, Align.CENTER)
    ec_level_m = escpos_module("constants").QR_ECLEVEL_M
    printer.qr(data, ec=ec_level_m, size=QR_MODULE_DOTS, native=True)
    _text(printer, LF)


def encode_receipt(
    receipt: Receipt, columns: int, has_chinese_font: bool = True, cutter: str = "partial"
) -> bytes:
    """The whole print job for one receipt, from ``ESC @`` to the cut (``cutter``: the
    printer's ``partial``, ``full`` or ``none``, a tear-off edge: the paper is only fed)."""
    if columns < 8:
        raise ValueError("a receipt needs at least 8 columns")
    if cutter not in CUTTERS:
        raise ValueError(f"cutter must be one of {CUTTERS}")
    printer = _printer(columns, cutter)
    printer.hw("INIT")
    for element in receipt.elements:
        if isinstance(element, Text):
            _encode_text(printer, element, columns, has_chinese_font)
        elif isinstance(element, QrCode):
            _encode_qr(printer, element.data)
        elif isinstance(element, Rule):
            _align(printer, Align.LEFT)
            _text(printer, b"-" * columns + LF)
    _align(printer, Align.LEFT)
    printer.cut(mode="FULL" if cutter == "full" else "PART")
    output: bytes = printer.output
    return output
