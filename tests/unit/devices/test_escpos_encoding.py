"""Our ESC/POS encoder, checked by decoding what it sends as a Chinese printer would."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printers.escpos_encoding import encode_receipt, wrap_text
from devices.printers.escpos_library import escpos_module
from devices.printers.receipt import Align, QrCode, Receipt, Rule, Text
from tests.escpos_decoder import decode


@pytest.fixture(autouse=True, scope="module")
def python_escpos_imported() -> None:
    """Importing python-escpos takes ~0.5 s, once: not inside a Hypothesis deadline."""
    escpos_module("printer.dummy")


BMP_TEXT = st.text(
    st.characters(max_codepoint=0xFFFF, exclude_categories=("Cc", "Cs")), max_size=80
)
TEXTS = st.builds(
    Text,
    text=BMP_TEXT,
    align=st.sampled_from(Align),
    bold=st.booleans(),
    large=st.booleans(),
)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def without_spaces(text: str) -> str:
    return text.replace(" ", "")


@settings(max_examples=300)
@given(texts=st.lists(TEXTS, min_size=1, max_size=6), columns=st.sampled_from([32, 48]))
def test_any_text_comes_back_from_the_printer_modulo_wrapping(
    texts: list[Text], columns: int
) -> None:
    decoded = decode(encode_receipt(Receipt(tuple(texts)), columns))

    sent = "".join(t.text for t in texts)
    assert without_spaces("".join(line.text for line in decoded.lines)) == without_spaces(sent)
    for line in decoded.lines:
        assert width(line.text) <= (columns // 2 if line.large else columns)


@given(text=BMP_TEXT, large=st.booleans(), align=st.sampled_from(Align), bold=st.booleans())
def test_each_line_keeps_its_element_style_and_unbroken_text_joins_exactly(
    text: str, large: bool, align: Align, bold: bool
) -> None:
    decoded = decode(encode_receipt(Receipt((Text(text, align, bold, large),)), 32))

    assert {(line.align, line.bold, line.large) for line in decoded.lines} == {
        (align.value, bold, large)
    }
    if " " not in text:
        assert "".join(line.text for line in decoded.lines) == text


@pytest.mark.parametrize("text", ["（）：，。", "䶮", "报告编号：XT2026", "张*三", "€½™"])
def test_non_ascii_runs_go_as_gb18030_inside_kanji_mode(text: str) -> None:
    data = encode_receipt(Receipt((Text(text),)), 32)

    for run in [r for r in "".join(c if not c.isascii() else " " for c in text).split() if r]:
        assert b"\x1c&" + run.encode("gb18030") + b"\x1c." in data
    assert decode(data).lines[0].text == text


def test_cjk_punctuation_never_becomes_a_question_mark() -> None:
    assert b"?" not in encode_receipt(Receipt((Text("（）：，。、；“”"),)), 32)


@given(data=st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), min_size=1))
def test_qr_payload_round_trips(data: str) -> None:
    decoded = decode(encode_receipt(Receipt((QrCode(data),)), 32))

    (qr,) = decoded.qr_codes
    assert qr.data.decode("utf-8") == data
    assert (qr.model, qr.error_correction) == (2, ord("1"))
    assert qr.module_size is not None and 1 <= qr.module_size <= 16


def test_qr_data_too_long_for_a_qr_code_is_refused() -> None:
    with pytest.raises(ValueError, match="QR data"):
        encode_receipt(Receipt((QrCode("x" * 8000),)), 32)


def test_job_starts_with_init_and_ends_with_one_partial_cut() -> None:
    decoded = decode(encode_receipt(Receipt((Text("一"), Rule(), QrCode("https://x/y"))), 32))

    assert decoded.ops[0] == "init"
    assert decoded.ops[-1] == "cut"
    assert decoded.cuts == [(1, None)]


@pytest.mark.parametrize("columns", [32, 48])
def test_rule_is_a_full_line_of_dashes(columns: int) -> None:
    decoded = decode(encode_receipt(Receipt((Rule(),)), columns))

    assert decoded.lines[0].text == "-" * columns


def test_control_characters_in_text_cannot_become_commands() -> None:
    decoded = decode(encode_receipt(Receipt((Text("a\x1b@b\x1dV\x00c\td"),)), 32))

    assert decoded.ops.count("init") == 1
    assert decoded.cuts == [(1, None)]
    assert decoded.lines[0].text == "a @b V c d"


def test_newline_starts_a_new_line() -> None:
    assert wrap_text("第一行\n第二行", 32) == ["第一行", "第二行"]


def test_wrapping_prefers_a_space_near_the_end_of_the_line() -> None:
    assert wrap_text("Report number XT20261124000001 issued", 32) == [
        "Report number XT20261124000001",
        "issued",
    ]


def test_large_text_wraps_at_half_the_columns() -> None:
    decoded = decode(encode_receipt(Receipt((Text("公共信用信息报告（摘要）", large=True),)), 32))

    assert [line.text for line in decoded.lines] == ["公共信用信息报告", "（摘要）"]
    assert all(line.large for line in decoded.lines)


@pytest.mark.parametrize(("columns", "width_bytes"), [(32, 48), (48, 72)])
def test_raster_mode_sends_non_ascii_lines_as_paper_wide_images(
    columns: int, width_bytes: int
) -> None:
    receipt = Receipt(
        (Text("公共信用信息报告", Align.CENTER, large=True), Text("No. 12"), Text("䶮（）"))
    )
    decoded = decode(encode_receipt(receipt, columns, has_chinese_font=False))

    assert "kanji_on" not in decoded.ops
    assert [r.width_bytes for r in decoded.rasters] == [width_bytes, width_bytes]
    assert all(r.ink_dots() > 0 for r in decoded.rasters)
    assert decoded.rasters[0].height > decoded.rasters[1].height  # large is double height
    assert "No. 12" in [line.text for line in decoded.lines]
    assert decoded.ops[-1] == "cut"
