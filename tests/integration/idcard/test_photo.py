"""Card photos: a vendor WLT library when configured, a neutral placeholder otherwise."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.base import NotFound
from devices.idcard.pcsc import PcscOptions, PcscReader
from devices.idcard.photo import (
    BMP_SIZE,
    HEIGHT,
    WIDTH,
    PlaceholderDecoder,
    VendorWltDecoder,
    photo_decoder,
    placeholder_image,
)


def bmp_size(image: bytes) -> tuple[int, int]:
    assert image[:2] == b"BM" and len(image) == BMP_SIZE
    width, height = struct.unpack_from("<ii", image, 18)
    return width, height


def test_without_a_library_every_photo_is_the_placeholder() -> None:
    decoder = photo_decoder(None)
    assert isinstance(decoder, PlaceholderDecoder)
    portrait = decoder.decode(bytes(1024))
    assert portrait.placeholder and portrait.image == placeholder_image()
    assert bmp_size(portrait.image) == (WIDTH, HEIGHT)


@pytest.fixture
def wlt_library(build_library: Callable[[str], Path]) -> Path:
    return build_library("fake_wlt.c")


def test_the_vendor_library_decodes_through_ctypes(wlt_library: Path) -> None:
    decoder = photo_decoder(str(wlt_library))
    assert isinstance(decoder, VendorWltDecoder)
    portrait = decoder.decode(b"W" + bytes(range(255)) * 4 + b"\x00" * 3)
    assert not portrait.placeholder
    assert bmp_size(portrait.image) == (WIDTH, HEIGHT)
    assert portrait.image[54:56] == b"W\x00"


def test_bare_pixel_rows_are_wrapped_into_a_bmp(wlt_library: Path) -> None:
    portrait = VendorWltDecoder(str(wlt_library)).decode(b"R" * 1024)
    assert not portrait.placeholder
    assert bmp_size(portrait.image) == (WIDTH, HEIGHT)


def test_a_photo_the_library_cannot_decode_shows_the_placeholder(
    wlt_library: Path, caplog: pytest.LogCaptureFixture
) -> None:
    decoder = VendorWltDecoder(str(wlt_library))
    assert decoder.decode(b"\xff" * 1024).placeholder
    assert decoder.decode(b"short").placeholder
    caplog.clear()  # the warning about the failed photo is expected


def test_the_decoder_is_a_reader_option(wlt_library: Path, tmp_path: Path) -> None:
    reader = PcscReader.from_options(PcscOptions(wlt_decoder=str(wlt_library)))
    assert isinstance(reader.photo_decoder, VendorWltDecoder)
    with pytest.raises(NotFound):
        PcscReader.from_options(PcscOptions(wlt_decoder=str(tmp_path / "libwlt.so")))
