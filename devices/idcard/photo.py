"""The card photo: 1024 bytes of WLT, decoded only by the vendor's licensed library.

``photo_decoder(library)`` gives a decoder: with a library path (config option
``wlt_decoder``) it loads the vendor library through ctypes; without one every photo becomes a
neutral placeholder. Either way ``decode`` returns a displayable BMP, never a broken image:
a library that fails on one photo yields the placeholder for that photo (and a warning).

The vendor ABI is the common ``libwlt`` one: ``int unpack(char *wlt, char *bmp, int flags)``
fills ``bmp`` with a 102×126 24-bit BMP (38862 bytes) and returns 1 on success. A library
that writes bare pixel rows (BGR, bottom-up, rows padded to 4 bytes) is wrapped into a BMP.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import struct
from dataclasses import dataclass
from typing import Protocol

from devices.base import NotFound

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 102, 126
_ROW = (WIDTH * 3 + 3) // 4 * 4
PIXELS_SIZE = _ROW * HEIGHT
BMP_SIZE = 54 + PIXELS_SIZE  # 38862


@dataclass(frozen=True, repr=False)
class Portrait:
    """A displayable photo (BMP bytes); ``placeholder`` when it is not the card's."""

    image: bytes
    placeholder: bool


class PhotoDecoder(Protocol):
    def decode(self, wlt: bytes) -> Portrait: ...


def _bmp(pixels: bytes) -> bytes:
    header = struct.pack("<2sIHHI", b"BM", BMP_SIZE, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, WIDTH, HEIGHT, 1, 24, 0, PIXELS_SIZE, 2835, 2835, 0, 0)
    return header + info + pixels


@functools.cache
def placeholder_image() -> bytes:
    """A neutral grey head-and-shoulders outline on a light background, as a BMP."""
    background, figure = b"\xe6\xe6\xe6", b"\xb4\xb4\xb4"
    rows = []
    for y_up in range(HEIGHT):  # BMP rows run bottom-up
        y = HEIGHT - 1 - y_up
        row = bytearray()
        for x in range(WIDTH):
            head = (x - 51) ** 2 / 22**2 + (y - 48) ** 2 / 27**2 <= 1
            shoulders = y >= 84 and (x - 51) ** 2 / 46**2 + (y - 126) ** 2 / 40**2 <= 1
            row += figure if head or shoulders else background
        rows.append(bytes(row) + b"\x00" * (_ROW - len(row)))
    return _bmp(b"".join(rows))


class PlaceholderDecoder:
    """No vendor library: every photo shows the neutral placeholder."""

    def decode(self, wlt: bytes) -> Portrait:
        return Portrait(placeholder_image(), placeholder=True)


class VendorWltDecoder:
    """The vendor's WLT library, loaded through ctypes."""

    def __init__(self, library: str) -> None:
        try:
            self._library = ctypes.CDLL(library)
            unpack = self._library.unpack
        except (OSError, AttributeError) as error:
            raise NotFound(
                "the WLT photo decoder library cannot be loaded",
                f"check card_reader.options.wlt_decoder ({library}): {error}",
            ) from None
        unpack.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        unpack.restype = ctypes.c_int
        self._unpack = unpack
        self.library = library

    def decode(self, wlt: bytes) -> Portrait:
        if len(wlt) != 1024:
            return Portrait(placeholder_image(), placeholder=True)
        out = ctypes.create_string_buffer(BMP_SIZE)
        result = self._unpack(wlt, out, 0)
        image = out.raw
        if result != 1:
            log.warning("WLT decoder returned %d; showing the placeholder photo", result)
            return Portrait(placeholder_image(), placeholder=True)
        if image[:2] != b"BM":
            image = _bmp(image[:PIXELS_SIZE])
        return Portrait(image, placeholder=False)


def photo_decoder(library: str | None) -> PhotoDecoder:
    """The decoder for config option ``wlt_decoder`` (a library path, or None)."""
    return VendorWltDecoder(library) if library else PlaceholderDecoder()
