"""DLE EOT replies → sensor values: any bytes or none give a status, and silence is never OK."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.base import Cover, Paper
from devices.printers.base import PrinterStatus
from devices.printers.escpos_status import (
    decode_replies,
    decode_status,
    encode_status,
    query,
    status_byte,
)

REPLIES = st.one_of(st.none(), st.binary(max_size=20))


@given(printer=REPLIES, cause=REPLIES, paper=REPLIES)
def test_any_reply_or_none_decodes_to_a_status(
    printer: bytes | None, cause: bytes | None, paper: bytes | None
) -> None:
    status = decode_status(printer, cause, paper)

    assert isinstance(status, PrinterStatus)
    if status_byte(paper) is None and status_byte(cause) is None:
        assert status.paper is Paper.UNKNOWN
    if status_byte(cause) is None:
        assert status.cover is Cover.UNKNOWN
    if status_byte(printer) is None:
        assert status.online is None


@pytest.mark.parametrize("silence", [None, b""])
def test_silence_is_unknown_and_never_ok(silence: bytes | None) -> None:
    assert decode_status(silence, silence, silence) == PrinterStatus(
        Paper.UNKNOWN, Cover.UNKNOWN, online=None
    )
    assert decode_replies({}) == decode_status(None, None, None)


@given(value=st.integers(0, 255))
def test_only_bytes_of_the_status_pattern_count(value: int) -> None:
    is_status = value & 0b1001_0011 == 0b0001_0010
    assert (status_byte(bytes([value])) == value) is is_status


def test_the_plain_healthy_printer() -> None:
    assert decode_status(b"\x12", b"\x12", b"\x12") == PrinterStatus(
        Paper.OK, Cover.CLOSED, online=True
    )


@pytest.mark.parametrize(
    ("byte4", "paper"),
    [(0x12, Paper.OK), (0x1E, Paper.LOW), (0x72, Paper.OUT), (0x16, Paper.LOW), (0x32, Paper.OUT)],
)
def test_roll_paper_sensor(byte4: int, paper: Paper) -> None:
    """Epson sets both bits of a pair; one bit of a pair is enough (some Chinese printers)."""
    assert decode_status(b"\x12", b"\x12", bytes([byte4])).paper is paper


def test_printing_stopped_at_paper_end_is_out_even_without_the_paper_sensor() -> None:
    assert decode_status(b"\x1a", b"\x32", None).paper is Paper.OUT
    assert decode_status(b"\x1a", b"\x32", b"\x1e").paper is Paper.OUT


def test_a_late_or_noisy_reply_is_skipped_for_the_first_status_byte() -> None:
    assert decode_status(b"\x00\xff\x1a", b"", None).online is False


@pytest.mark.parametrize(
    "flags",
    list(itertools.product([False, True], repeat=5)),
    ids=lambda f: "".join("01"[x] for x in f),
)
def test_encode_and_decode_agree(flags: tuple[bool, ...]) -> None:
    offline, cover_open, stop, near_end, end = flags
    replies = encode_status(
        offline=offline,
        cover_open=cover_open,
        paper_end_stop=stop,
        near_end=near_end,
        paper_end=end,
    )
    status = decode_replies({n: bytes([b]) for n, b in replies.items()})

    assert status.online is not offline
    assert status.cover is (Cover.OPEN if cover_open else Cover.CLOSED)
    assert status.paper is (Paper.OUT if stop or end else Paper.LOW if near_end else Paper.OK)


def test_queries_are_dle_eot_n() -> None:
    assert [query(n) for n in (1, 2, 4)] == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04"]
    with pytest.raises(ValueError):
        query(5)
