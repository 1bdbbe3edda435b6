"""The diagnostics core without a running kiosk: device specs, partial configs, the service
switch, the log tail, the card-read test, and the test prints as a printer would see them."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from devices.base import HealthLevel
from devices.idcard.apdu import NoSecurityModule
from devices.idcard.simulated import SimulatedCard, SimulatedReader
from devices.idcard.text_block import encode_text_block
from devices.printers.simulated import SimulatedReceiptOptions, SimulatedReceiptPrinter
from kiosk.config import ConfigError, UpdaterSettings, partial_settings_from_dict
from kiosk.contract import UpdateState
from kiosk.diagnostics.checks import Area, Check, Status, summary_ok, worst
from kiosk.diagnostics.command import device_spec
from kiosk.diagnostics.context import CONTENT_FILE, Diagnostics
from kiosk.diagnostics.device_checks import device_checks, print_test_page, read_card_test
from kiosk.diagnostics.service import ServiceSwitch
from kiosk.diagnostics.terminal_checks import content_checks, last_log_lines, update_check
from kiosk.documents.technician_prints import (
    SAMPLE_TEXT,
    build_test_page_pdf,
    qr_test_data,
    ruler,
)
from kiosk.platform.watch import NOTICES
from kiosk.updater.state import StateFile
from offline_cache.content_cache import ContentCache
from tests.cards import make_card
from tests.escpos_decoder import decode

T = TypeVar("T")
PRINTED_AT = dt.datetime(2026, 12, 1, 9, 30, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class OneDevice:
    """A ``DeviceAccess`` to one device object, called on the test's thread."""

    def __init__(self, area: Area, device: Any) -> None:
        self.area, self.device = area, device

    def drivers(self) -> dict[Area, str]:
        return {self.area: "simulated"}

    def call(self, area: Area, action: Callable[[Any], T], timeout: float) -> T:
        assert area is self.area
        return action(self.device)

    def counters(self, area: Area) -> None:
        return None


def test_green_only_without_failures_or_warnings() -> None:
    ok = Check(Area.OUTBOX, "queue", Status.OK, "")
    skipped = Check(Area.TERMINAL, "update", Status.SKIPPED, "")
    warned = Check(Area.OUTBOX, "queue", Status.WARN, "")
    failed = Check(Area.OUTBOX, "dead_letters", Status.FAIL, "")
    assert summary_ok([ok, skipped]) and worst([ok, skipped]) is Status.OK
    assert not summary_ok([ok, warned]) and worst([ok, warned]) is Status.WARN
    assert worst([warned, failed, skipped]) is Status.FAIL
    assert worst([skipped]) is Status.SKIPPED


# --- DRIVER[:OPTIONS] ---
def toml_string(text: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    escaped = "".join(
        f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F or c in '"\\' else c for c in text
    )
    return f'"{escaped}"'


fault_entries = st.builds(
    "{}_{}_job:{}".format,
    st.sampled_from(["paper_out", "cover_open", "near_end", "offline"]),
    st.sampled_from(["on", "after"]),
    st.integers(0, 99),
)


@given(
    output_dir=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40),
    columns=st.integers(8, 64),
    job_delay_s=st.floats(0, 10, allow_nan=False),
    faults=st.lists(fault_entries, max_size=3),
    has_chinese_font=st.booleans(),
)
def test_a_device_spec_reads_every_option_back(
    output_dir: str, columns: int, job_delay_s: float, faults: list[str], has_chinese_font: bool
) -> None:
    options = [
        f"output_dir = {toml_string(output_dir)}",
        f"columns = {columns}",
        f"job_delay_s = {job_delay_s!r}",
        f"faults = [{', '.join(toml_string(f) for f in faults)}]",
        f"has_chinese_font = {str(has_chinese_font).lower()}",
    ]
    settings = device_spec(Area.RECEIPT_PRINTER, "simulated:" + ", ".join(options))
    assert settings.driver == "simulated"
    assert settings.options == SimulatedReceiptOptions(
        Path(output_dir), columns, job_delay_s, tuple(faults), has_chinese_font
    )


@given(st.text(max_size=60))
def test_any_spec_is_read_or_refused_with_a_configuration_error(spec: str) -> None:
    with contextlib.suppress(ConfigError):  # any other exception fails the test
        device_spec(Area.CARD_READER, spec)


def test_a_spec_without_options_takes_the_driver_defaults() -> None:
    assert device_spec(Area.CARD_READER, "simulated").driver == "simulated"
    with pytest.raises(ConfigError, match="unknown driver 'nope'"):
        device_spec(Area.CARD_READER, "nope")
    with pytest.raises(ConfigError, match="read_delay_s"):
        device_spec(Area.CARD_READER, "simulated:read_delay_s = -1")


# --- partial configuration ---
def test_one_device_section_is_a_configuration_for_that_device_alone() -> None:
    partial = partial_settings_from_dict({"card_reader": {"driver": "simulated"}})
    assert partial.terminal is None and partial.platform is None
    assert list(partial.devices) == ["card_reader"]
    with pytest.raises(ConfigError, match=r"unknown keys \['colour'\]"):
        partial_settings_from_dict({"card_reader": {"driver": "simulated", "colour": 1}})
    with pytest.raises(ConfigError, match=r"terminal\.id: required"):
        partial_settings_from_dict({"terminal": {"secret_file": "/s"}})


def test_a_complete_file_is_read_as_the_kiosk_reads_it() -> None:
    partial = partial_settings_from_dict(
        {"terminal": {"id": "XT-1", "secret_file": "/s"}, "platform": {"base_url": "https://x"}}
    )
    assert partial.terminal is not None and partial.terminal.id == "XT-1"
    assert set(partial.devices) == {"card_reader", "receipt_printer", "document_printer"}


# --- the service switch ---
def test_the_service_switch_survives_a_new_instance_and_a_garbled_file(tmp_path: Path) -> None:
    switch = ServiceSwitch(tmp_path)
    assert not switch.is_off() and switch.switched_off() is None
    switch.switch_off("换打印纸", PRINTED_AT)
    again = ServiceSwitch(tmp_path)
    off = again.switched_off()
    assert again.is_off() and off is not None
    assert (off.since, off.reason) == (PRINTED_AT, "换打印纸")
    switch.path.write_text("{not json", encoding="utf-8")
    assert ServiceSwitch(tmp_path).switched_off() is not None  # still off: the file says so
    again.switch_on()
    assert not switch.is_off()


@given(st.binary(max_size=200))
def test_whatever_the_switch_file_holds_the_terminal_stays_off(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        switch = ServiceSwitch(Path(folder))
        switch.path.write_bytes(content)
        assert switch.is_off() and switch.switched_off() is not None


@given(st.binary(max_size=400), st.integers(1, 5))
def test_any_log_file_gives_at_most_the_lines_asked_for(content: bytes, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "kiosk.log"
        log.write_bytes(content)
        tail = last_log_lines(log, count)
        assert len(tail) <= count and all("\n" not in line for line in tail)


def test_the_log_tail_is_the_last_lines_with_id_numbers_masked(tmp_path: Path) -> None:
    number = make_card().id_number
    log = tmp_path / "kiosk.log"
    log.write_text("".join(f"line {i}\n" for i in range(300)) + f"leak {number}\n", "utf-8")
    tail = last_log_lines(log, 200)
    assert len(tail) == 200 and tail[0] == "line 101"
    assert tail[-1] == f"leak {number[:4]}**********{number[-4:]}"


# --- the card-read test ---
def test_a_card_read_is_reported_masked_with_its_timings() -> None:
    card = make_card()
    reader = SimulatedReader(
        {"c": SimulatedCard("c", encode_text_block(card), bytes(1024))}, read_delay_s=0.0
    )
    reader.open()
    reader.lay_card("c")
    check = read_card_test(OneDevice(Area.CARD_READER, reader), timeout_s=2.0)
    assert check.status is Status.OK
    facts = dict(check.facts)
    assert isinstance(facts.pop("wait_ms"), int) and isinstance(facts.pop("read_ms"), int)
    assert facts == {
        "card_type": "resident",
        "name_masked": card.name[0] + "*" * (len(card.name) - 2) + card.name[-1],
        "id_masked": card.id_number[:4] + "*" * 10 + card.id_number[-4:],
        "id_checksum_ok": True,
        "valid_to": "long_term" if card.valid_to is None else card.valid_to.isoformat(),
        "photo_bytes": 1024,
    }
    shown = repr(check)
    assert card.id_number not in shown and card.name not in shown


def test_a_reader_without_a_security_module_is_named_as_such() -> None:
    class UidOnly(SimulatedReader):
        def read_card(self, timeout: float) -> Any:
            raise NoSecurityModule("this reader cannot read identity data", "fit a SAM reader")

    reader = UidOnly({"c": SimulatedCard("c", encode_text_block(make_card()))})
    reader.open()
    reader.lay_card("c")
    check = read_card_test(OneDevice(Area.CARD_READER, reader), timeout_s=2.0)
    assert check.status is Status.FAIL
    assert "无法读取身份信息" in check.summary
    assert "cannot read identity data" in check.detail and check.hint == "fit a SAM reader"


# --- the test prints ---
def test_the_receipt_test_slip_as_the_printer_decodes_it(tmp_path: Path) -> None:
    printer = SimulatedReceiptPrinter(tmp_path, columns=48, job_delay_s=0.0)
    printer.open()
    check = print_test_page(
        OneDevice(Area.RECEIPT_PRINTER, printer), Area.RECEIPT_PRINTER, "XT-9", PRINTED_AT
    )
    assert check.status is Status.OK and check.facts["confirmed"] is True
    decoded = decode((tmp_path / "receipt-R0001.bin").read_bytes())
    texts = [line.text.strip() for line in decoded.lines]
    assert "终端编号：XT-9" in texts and "打印时间：2026-12-01 09:30:05" in texts
    assert SAMPLE_TEXT in texts and "䶮" in SAMPLE_TEXT
    assert ruler(32) in texts and ruler(48) in texts
    assert [qr.data.decode() for qr in decoded.qr_codes] == [qr_test_data("XT-9", PRINTED_AT)]
    assert len(decoded.cuts) == 1


def test_a_failed_test_print_says_why_and_what_to_do(tmp_path: Path) -> None:
    printer = SimulatedReceiptPrinter.from_options(
        SimulatedReceiptOptions(tmp_path, job_delay_s=0.0, faults=("cover_open_on_job:1",))
    )
    printer.open()
    check = print_test_page(
        OneDevice(Area.RECEIPT_PRINTER, printer), Area.RECEIPT_PRINTER, "XT-9", PRINTED_AT
    )
    assert (check.status, check.summary) == (Status.FAIL, "测试打印失败：机盖未关好")
    assert check.hint == "close the printer cover until it clicks"
    assert printer.last_fault is not None and printer.last_fault.code == "cover_open"


def test_the_a4_test_page_text_extracts_with_the_rare_character() -> None:
    pdf = build_test_page_pdf("XT-9", PRINTED_AT)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    text = page.extract_text()
    assert "终端编号：XT-9" in text and "打印时间：2026-12-01 09:30:05" in text
    assert SAMPLE_TEXT in text
    assert "刻度单位：厘米" in text


def test_cached_content_older_than_a_day_needs_attention(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path / CONTENT_FILE)
    cache.store(NOTICES, b"{}", None)
    cache.close()
    diag = Diagnostics("XT-9", OneDevice(Area.CARD_READER, None), state_dir=tmp_path)
    fresh = {c.name: c.status for c in content_checks(diag, now=time.time() + 3600)}
    assert fresh == {"content_notices": Status.OK, "content_lists": Status.WARN}  # never fetched
    stale = {c.name: c for c in content_checks(diag, now=time.time() + 2 * 86400)}
    assert stale["content_notices"].status is Status.WARN
    assert "小时前更新" in stale["content_notices"].summary


def test_a_device_that_does_not_answer_or_raises_is_a_failed_check(tmp_path: Path) -> None:
    class Wedged(OneDevice):
        def call(self, area: Area, action: Callable[[Any], T], timeout: float) -> T:
            raise TimeoutError

    (wedged,) = device_checks(
        Wedged(Area.CARD_READER, None), Area.CARD_READER, HealthLevel.INTERNAL
    )
    assert (wedged.name, wedged.status) == ("driver", Status.FAIL)
    assert wedged.summary == "设备没有在规定时间内应答"

    class Broken(SimulatedReceiptPrinter):
        def check_health(self, level: HealthLevel) -> Any:
            raise RuntimeError("driver bug")

    printer = Broken(tmp_path)
    printer.open()
    checks = device_checks(
        OneDevice(Area.RECEIPT_PRINTER, printer), Area.RECEIPT_PRINTER, HealthLevel.INTERNAL
    )
    health = {c.name: c for c in checks}["health_internal"]
    assert health.status is Status.FAIL and "RuntimeError: driver bug" in health.detail
    assert {c.name: c.status for c in checks}["sensors"] is Status.OK


def test_the_update_check_says_where_the_updater_stands(tmp_path: Path) -> None:
    devices = OneDevice(Area.CARD_READER, None)
    assert update_check(Diagnostics("XT-1", devices, tmp_path), "1.0.0").status is Status.SKIPPED
    updater = UpdaterSettings(repository_url="http://127.0.0.1:1/", poll_interval_s=3600.0)
    diag = Diagnostics("XT-1", devices, tmp_path, updater=updater)
    never_checked = update_check(diag, "1.0.0")
    assert never_checked.status is Status.WARN and "逾期" in never_checked.summary

    state_file = StateFile(tmp_path)
    with state_file.change() as state:
        state.last_check_at = time.time()
        state.committed = "1.0.0"
    assert update_check(diag, "1.0.0").status is Status.OK
    with state_file.change() as state:
        state.bad.append("1.1.0")
        state.last = UpdateState(state="rolled_back", version="1.1.0", detail="exited 4")
    rolled_back = update_check(diag, "1.0.0")
    assert rolled_back.status is Status.WARN
    assert rolled_back.summary == "新版本已退回（1.1.0）" and rolled_back.detail == "exited 4"
    assert rolled_back.facts["bad"] == "1.1.0"


def test_an_unreadable_updater_state_is_a_fresh_one(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path)
    state_file.path.parent.mkdir(parents=True)
    state_file.path.write_bytes(b'{"committed": ')
    assert state_file.read().committed is None
    with state_file.change() as state:
        state.committed = "1.0.0"
    assert state_file.read().committed == "1.0.0"
