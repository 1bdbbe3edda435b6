"""Thermal printer profiles are data, validated strictly; the driver's pure parts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.base import NotSupported
from devices.printers.escpos import (
    EscposOptions,
    EscposReceiptPrinter,
    connector_usable,
    paper_length_mm,
    parse_endpoint,
)
from devices.printers.escpos_encoding import encode_receipt
from devices.printers.profiles import ProfileError, load_profile, profile_from_dict, profile_names
from devices.printers.receipt import QrCode, Receipt, Text
from tests.escpos_decoder import decode


def test_shipped_profiles_load_and_fit_the_column_grid() -> None:
    names = profile_names()
    assert {"kiosk-80-cn", "pos-58-cn", "pos-80-nocjk"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.columns * 12 <= profile.dots_per_line
        assert profile.columns * 12 % 8 == 0
    assert load_profile("kiosk-80-cn").columns == 48
    assert load_profile("pos-58-cn").columns == 32


def test_an_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="kiosk-80-cn"):
        load_profile("epson-tm-t88")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cutter": "laser"}, "cutter"),
        ({"paper_width_mm": 76}, "paper_width_mm"),
        ({"chinese_font": 1}, "chinese_font"),
        ({"dots_per_line": True}, "dots_per_line"),
        ({"print_speed_mm_s": 0}, "print_speed_mm_s"),
        ({"colour": True}, "unknown keys"),
    ],
)
def test_profiles_are_validated_key_by_key(change: dict[str, object], message: str) -> None:
    data = {
        "description": "x",
        "paper_width_mm": 80,
        "dots_per_line": 576,
        "chinese_font": True,
        "cutter": "full",
        "realtime_status": True,
        "print_speed_mm_s": 100,
    }
    assert profile_from_dict("ok", data).cutter == "full"
    with pytest.raises(ProfileError, match=message):
        profile_from_dict("bad", {**data, **change})


def test_overrides_are_checked_like_the_profile() -> None:
    profile = load_profile("kiosk-80-cn")
    assert not profile.with_overrides({"chinese_font": False}).chinese_font
    with pytest.raises(ProfileError):
        profile.with_overrides({"name": "other"})
    with pytest.raises(ProfileError):
        profile.with_overrides({"cutter": "scissors"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("tcp://192.168.1.50", ("tcp", "192.168.1.50", 9100)),
        ("tcp://printer.local:9101", ("tcp", "printer.local", 9101)),
    ],
)
def test_tcp_endpoints(url: str, expected: tuple[str, str, int]) -> None:
    endpoint = parse_endpoint(url)
    assert (endpoint.kind, endpoint.host, endpoint.port) == expected


def test_usb_and_serial_endpoints() -> None:
    usb = parse_endpoint("usb://0416:5011?in_ep=0x81&out_ep=0x03")
    assert (usb.vendor_id, usb.product_id, usb.in_ep, usb.out_ep) == (0x0416, 0x5011, 0x81, 0x03)
    serial = parse_endpoint("serial:///dev/ttyS1?baudrate=115200")
    assert (serial.device, serial.baudrate) == ("/dev/ttyS1", 115200)


@pytest.mark.parametrize(
    "url",
    ["lpt://1", "tcp://", "usb://zz:11", "usb://0416:5011?speed=1", "serial://ttyS0", "tcp://h/x"],
)
def test_bad_endpoints_say_what_is_expected(url: str) -> None:
    with pytest.raises(ValueError, match="connection"):
        parse_endpoint(url)


@given(
    url=st.one_of(
        st.text(max_size=40),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(
                    [
                        "tcp://",
                        "usb://",
                        "serial://",
                        "/dev/",
                        "h",
                        ":",
                        "9100",
                        "0416",
                        "?",
                        "in_ep=",
                        "baudrate=",
                        "&",
                        "0x",
                        "[",
                        "]",
                        "/",
                        "%",
                        "-1",
                        "99999",
                    ]
                ),
                max_size=8,
            ),
        ),
    )
)
def test_any_connection_is_an_endpoint_or_an_error_naming_the_option(url: str) -> None:
    try:
        options = EscposOptions(url, "pos-58-cn")
    except ValueError as error:
        assert str(error).startswith("connection: ")
    else:
        assert parse_endpoint(options.connection).kind in ("tcp", "usb", "serial")


@pytest.mark.parametrize(
    ("cutter", "cuts"), [("partial", [(1, None)]), ("full", [(0, None)]), ("none", [])]
)
def test_the_cutter_follows_the_profile(cutter: str, cuts: list[tuple[int, int | None]]) -> None:
    decoded = decode(encode_receipt(Receipt((Text("x"),)), 32, cutter=cutter))
    ending = ["feed", "cut"] if cuts else ["feed"]
    assert decoded.cuts == cuts
    assert decoded.ops[-len(ending) :] == ending


def test_paper_length_grows_with_the_receipt() -> None:
    short = Receipt((Text("x"),))
    long = Receipt((Text("x\n" * 20), QrCode("https://example.cn/api/v1/verify/XT1?code=A")))
    assert 10 < paper_length_mm(short, 48) < paper_length_mm(long, 48) < 200


def test_usb_and_serial_need_their_libraries_or_say_so() -> None:
    for kind, library in (("usb", "pyusb"), ("serial", "pyserial")):
        usable, why = connector_usable(kind)
        if not usable:
            assert library in why
            connection = "usb://0416:5011" if kind == "usb" else "serial:///dev/ttyS0"
            with pytest.raises(NotSupported, match=library):
                EscposReceiptPrinter.from_options(EscposOptions(connection, "pos-58-cn"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"connection": "tcp://x", "profile": "nope"}, "profile: no printer profile 'nope'"),
        ({"connection": "ftp://x", "profile": "pos-58-cn"}, "connection: .* tcp, usb or serial"),
        ({"connection": "usb://zz", "profile": "pos-58-cn"}, "connection: .*usb://VID:PID"),
        (
            {"connection": "tcp://x", "profile": "pos-58-cn", "profile_overrides": {"x": 1}},
            "profile_overrides: .* cannot override 'x'",
        ),
        (
            {"connection": "tcp://x", "profile": "pos-58-cn", "status_timeout_s": 0.0},
            "status_timeout_s: must be more than 0",
        ),
    ],
)
def test_bad_option_values_are_refused_naming_the_option(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        EscposOptions(**options)


def test_options_carry_the_profile_with_its_overrides() -> None:
    options = EscposOptions("tcp://x", "kiosk-80-cn", profile_overrides={"cutter": "none"})
    assert options.printer_profile().cutter == "none"
    assert options.printer_profile().name == "kiosk-80-cn"
