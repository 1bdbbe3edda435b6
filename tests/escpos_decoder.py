"""A small ESC/POS decoder for tests: what would a Chinese thermal printer do with these bytes?

It understands exactly the commands our encoder may send and rejects anything else, so a
test fails when the encoder emits a byte a printer would misread:
``ESC @``, ``ESC a n``, ``ESC E n``, ``ESC d n``, ``GS ! n``, ``FS &`` … ``FS .`` (kanji mode,
decoded as GB18030), ``GS ( k`` (QR code functions 165/167/169/180/181), ``GS v 0`` (raster
image), ``GS V`` (cut) and LF. Outside kanji mode only printable ASCII is text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A


class DecodeError(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    text: str
    align: int
    bold: bool
    large: bool


@dataclass(frozen=True)
class Qr:
    data: bytes
    model: int | None
    module_size: int | None
    error_correction: int | None


@dataclass(frozen=True)
class Raster:
    width_bytes: int
    height: int
    data: bytes

    @property
    def width_dots(self) -> int:
        return self.width_bytes * 8

    def ink_dots(self) -> int:
        return sum(bin(b).count("1") for b in self.data)


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[Qr] = field(default_factory=list)
    rasters: list[Raster] = field(default_factory=list)
    cuts: list[tuple[int, int | None]] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    """Every command in order: "init", "align", "bold", "size", "kanji_on", "kanji_off",
    "text", "lf", "feed", "qr", "raster", "cut"."""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def more(self) -> bool:
        return self.pos < len(self.data)

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise DecodeError(f"command cut short at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]


def decode(data: bytes) -> Decoded:
    out = Decoded()
    r = _Reader(data)
    align, bold, large = 0, False, False
    pending = ""
    qr_model: int | None = None
    qr_size: int | None = None
    qr_ecc: int | None = None
    qr_store: bytes | None = None
    while r.more():
        b = r.byte()
        if b == LF:
            out.lines.append(Line(pending, align, bold, large))
            pending = ""
            out.ops.append("lf")
        elif 0x20 <= b < 0x7F:
            start = r.pos - 1
            while r.more() and 0x20 <= r.data[r.pos] < 0x7F:
                r.pos += 1
            pending += r.data[start : r.pos].decode("ascii")
            out.ops.append("text")
        elif b == ESC:
            cmd = r.byte()
            if cmd == ord("@"):
                align, bold, large = 0, False, False
                out.ops.append("init")
            elif cmd == ord("a"):
                align = r.byte() % 48
                if align > 2:
                    raise DecodeError(f"bad alignment {align}")
                out.ops.append("align")
            elif cmd == ord("E"):
                bold = bool(r.byte() & 1)
                out.ops.append("bold")
            elif cmd == ord("d"):
                r.byte()
                out.ops.append("feed")
            else:
                raise DecodeError(f"unknown command ESC {cmd:#04x} at byte {r.pos - 2}")
        elif b == FS:
            cmd = r.byte()
            if cmd != ord("&"):
                raise DecodeError(f"unexpected FS {cmd:#04x} outside kanji mode")
            out.ops.append("kanji_on")
            end = data.find(bytes([FS, ord(".")]), r.pos)
            if end < 0:
                raise DecodeError("kanji mode never switched off")
            segment = r.take(end - r.pos)
            r.take(2)
            try:
                pending += segment.decode("gb18030")
            except UnicodeDecodeError as error:
                raise DecodeError(f"kanji segment is not GB18030: {error}") from None
            out.ops += ["text", "kanji_off"]
        elif b == GS:
            cmd = r.byte()
            if cmd == ord("!"):
                n = r.byte()
                large = n == 0x11
                if n not in (0x00, 0x11):
                    raise DecodeError(f"unexpected character size {n:#04x}")
                out.ops.append("size")
            elif cmd == ord("V"):
                mode = r.byte()
                out.cuts.append((mode, r.byte() if mode in (65, 66) else None))
                out.ops.append("cut")
            elif cmd == ord("v"):
                if r.byte() != ord("0"):
                    raise DecodeError("only GS v 0 raster images are known")
                r.byte()  # m: density
                xl, xh, yl, yh = r.take(4)
                width, height = xl + 256 * xh, yl + 256 * yh
                out.rasters.append(Raster(width, height, r.take(width * height)))
                out.ops.append("raster")
            elif cmd == ord("("):
                if r.byte() != ord("k"):
                    raise DecodeError("only GS ( k is known")
                pl, ph = r.take(2)
                body = r.take(pl + 256 * ph)
                if len(body) < 2 or body[0] != 49:
                    raise DecodeError("GS ( k for something other than a QR code")
                fn, params = body[1], body[2:]
                if fn == 65:
                    qr_model = params[0] - 48
                elif fn == 67:
                    qr_size = params[0]
                elif fn == 69:
                    qr_ecc = params[0]
                elif fn == 80:
                    qr_store = params[1:]
                elif fn == 81:
                    if qr_store is None:
                        raise DecodeError("QR printed before any data was stored")
                    out.qr_codes.append(Qr(qr_store, qr_model, qr_size, qr_ecc))
                    out.ops.append("qr")
                else:
                    raise DecodeError(f"unknown QR function {fn}")
            else:
                raise DecodeError(f"unknown command GS {cmd:#04x} at byte {r.pos - 2}")
        else:
            raise DecodeError(f"byte {b:#04x} at {r.pos - 1} is neither text nor a command")
    if pending:
        out.lines.append(Line(pending, align, bold, large))
    return out
