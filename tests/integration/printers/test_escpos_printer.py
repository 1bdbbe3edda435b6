"""The ESC/POS driver against a printer on TCP (our sink): every receipt is decoded as a
Chinese printer would read it, and the printer's status replies steer each job."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from PIL import Image

from devices.base import Cover, CoverOpen, DeviceState, HealthLevel, Offline, Paper, PaperOut
from devices.printers.escpos import EscposOptions, EscposReceiptPrinter
from devices.printers.escpos_status import encode_status
from devices.printers.receipt import Align, Receipt, Text
from devices.registry import load_receipt_printer
from kiosk.contract import CreditReport
from kiosk.documents.receipt_layout import build_receipt
from kiosk.report_model import CHINA_TIME, display_time, verify_url
from sandbox import population
from tests.escpos_decoder import Decoded, decode
from tests.integration.printers.paper import render_paper
from tests.integration.printers.sinks import EscposSink

FAST = {"print_speed_mm_s": 100_000}
"""Tests do not wait for paper to come out of a printer that has none."""
PRINTED_AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=CHINA_TIME)
BASE_URL = "https://credit.example.cn"
STATUS_ROUND = [1, 2, 4]


def printer_for(
    sink: EscposSink, profile: str = "kiosk-80-cn", **overrides: bool | int | float | str
) -> EscposReceiptPrinter:
    options = EscposOptions(
        connection=sink.url,
        profile=profile,
        profile_overrides={**FAST, **overrides},
        status_timeout_s=0.3,
    )
    printer = load_receipt_printer("escpos", options)
    assert isinstance(printer, EscposReceiptPrinter)
    printer.open()
    return printer


def richest_report() -> CreditReport:
    resident = population.richest_resident()
    return population.build_report(resident, "XT20261124000777", "VC7Q2M", PRINTED_AT)


def receipt_of(report: CreditReport) -> Receipt:
    return build_receipt(
        report,
        terminal_id="XT-TEST-009",
        printed_at=PRINTED_AT,
        verify_url=verify_url(BASE_URL, report),
    )


def only_job(sink: EscposSink) -> Decoded:
    assert len(sink.jobs) == 1
    return decode(sink.jobs[0])


def test_receipt_sent_over_tcp_reads_back_as_the_report_summary(escpos_sink: EscposSink) -> None:
    report = richest_report()
    printer = printer_for(escpos_sink)

    result = printer.print_receipt(receipt_of(report), timeout=10)

    assert result.confirmed and result.status_after is not None
    assert result.status_after.paper is Paper.OK
    decoded = only_job(escpos_sink)
    text = decoded.text
    name = report.subject_name
    assert f"姓名：{name[0]}" in text and name not in text
    for expected in (
        "个人公共信用信息报告",
        "（摘要）",
        f"身份证号：{report.subject_id_masked}",
        f"报告编号：{report.report_no}",
        f"出具时间：{display_time(report.issued_at)}",
        f"红名单：{'在列' if report.on_red_list else '未列入'}",
        f"黑名单：{'在列' if report.on_black_list else '未列入'}",
        "终端编号：XT-TEST-009",
        f"核验码：{report.verify_code}",
    ):
        assert expected in text
    for section in report.sections:
        assert f"{section.title}：{len(section.rows)} 条" in text
    assert [qr.data.decode() for qr in decoded.qr_codes] == [
        f"{BASE_URL}/api/v1/verify/{report.report_no}?code={report.verify_code}"
    ]
    assert decoded.cuts == [(1, None)] and decoded.ops[-1] == "cut"
    assert decoded.rasters == []
    assert all(len(line.text.encode("gb18030")) <= 48 for line in decoded.lines)
    assert escpos_sink.queries == STATUS_ROUND * 3  # open, before the job, after it


def test_every_chinese_character_goes_in_kanji_mode_as_gb18030(escpos_sink: EscposSink) -> None:
    lines = ("标点（），。、：；“”《》！？", "扩展A：䶮 欧元€ 数字123")
    printer = printer_for(escpos_sink)

    printer.print_receipt(Receipt(tuple(Text(line) for line in lines)), timeout=10)

    job = escpos_sink.jobs[0]
    assert b"?" not in job
    assert "（），。".encode("gb18030") in job and "䶮".encode("gb18030") in job
    segments = [part.split(b"\x1c.")[0].decode("gb18030") for part in job.split(b"\x1c&")[1:]]
    assert "".join(segments) == "".join(c for c in "".join(lines) if not c.isascii())
    assert decode(job).text == "\n".join(lines)


def test_printer_without_chinese_font_gets_every_chinese_line_as_raster(
    escpos_sink: EscposSink, artifacts: Path
) -> None:
    report = richest_report()
    printer = printer_for(escpos_sink, "pos-80-nocjk")

    result = printer.print_receipt(receipt_of(report), timeout=10)

    assert result.confirmed
    job = escpos_sink.jobs[0]
    decoded = decode(job)
    assert b"\x1c&" not in job
    assert all(line.text.isascii() for line in decoded.lines)
    assert decoded.rasters and {r.width_dots for r in decoded.rasters} == {576}
    assert all(r.height in range(20, 60) and r.ink_dots() > 0 for r in decoded.rasters)
    assert len(decoded.qr_codes) == 1 and decoded.cuts == [(1, None)]
    picture = artifacts / "receipt-raster-80mm.png"
    picture.write_bytes(render_paper(job, printer.profile.columns))
    with Image.open(picture) as image:
        assert image.width == 576 + 48
        dark = sum(image.convert("L").histogram()[:128])
        assert dark > 10_000


def test_58mm_profile_fits_32_columns_and_tears_off_instead_of_cutting(
    escpos_sink: EscposSink, artifacts: Path
) -> None:
    printer = printer_for(escpos_sink, "pos-58-cn")

    assert printer.print_receipt(receipt_of(richest_report()), timeout=10).confirmed

    job = escpos_sink.jobs[0]
    decoded = decode(job)
    assert decoded.cuts == [] and decoded.ops[-1] == "feed"
    assert max(len(line.text.encode("gb18030")) for line in decoded.lines) <= 32
    (artifacts / "receipt-text-58mm.png").write_bytes(render_paper(job, 32))


def test_paper_near_end_still_prints_and_says_so(escpos_sink: EscposSink) -> None:
    escpos_sink.set_status(near_end=True)
    printer = printer_for(escpos_sink)

    result = printer.print_receipt(receipt_of(richest_report()), timeout=10)

    assert result.confirmed and result.status_after is not None
    assert result.status_after.paper is Paper.LOW
    report = printer.check_health(HealthLevel.INTERNAL)
    assert report.ok and "paper near end" in report.text and report.details["paper"] == "low"


@pytest.mark.parametrize(
    ("condition", "error"),
    [
        ({"paper_end": True, "paper_end_stop": True, "offline": True}, PaperOut),
        ({"cover_open": True, "offline": True}, CoverOpen),
        ({"offline": True}, Offline),
    ],
)
def test_a_fault_before_the_job_sends_nothing(
    escpos_sink: EscposSink, condition: dict[str, bool], error: type[Exception]
) -> None:
    printer = printer_for(escpos_sink)  # healthy at start-up
    escpos_sink.set_status(**condition)

    with pytest.raises(error):
        printer.print_receipt(receipt_of(richest_report()), timeout=10)

    assert escpos_sink.jobs == []
    assert printer.state in (DeviceState.ERROR, DeviceState.OFFLINE)


@pytest.mark.parametrize(
    ("condition", "error", "sensor"),
    [
        ({"paper_end": True, "paper_end_stop": True, "offline": True}, PaperOut, "paper"),
        ({"cover_open": True, "offline": True}, CoverOpen, "cover"),
    ],
)
def test_a_fault_during_the_job_is_not_confirmed_and_the_job_stays_with_the_printer(
    escpos_sink: EscposSink, condition: dict[str, bool], error: type[Exception], sensor: str
) -> None:
    printer = printer_for(escpos_sink)
    escpos_sink.after_cut = dict(encode_status(**condition))

    with pytest.raises(error) as raised:
        printer.print_receipt(receipt_of(richest_report()), timeout=10)

    assert len(escpos_sink.jobs) == 1  # in the printer's buffer: it finishes once fixed
    assert "prints by itself" in raised.value.technician_hint  # type: ignore[attr-defined]
    assert printer.state is DeviceState.ERROR and printer.last_fault is raised.value
    health = printer.check_health(HealthLevel.INTERNAL)
    assert not health.ok and health.details["last_fault"] == raised.value.code  # type: ignore[attr-defined]
    assert health.details[sensor] in ("out", "open")


def test_a_silent_printer_is_unknown_never_ok_and_gets_no_job(escpos_sink: EscposSink) -> None:
    printer = printer_for(escpos_sink)
    escpos_sink.go_silent()

    started = time.monotonic()
    status = printer.status()
    assert time.monotonic() - started < 1.0
    assert (status.paper, status.cover, status.online) == (Paper.UNKNOWN, Cover.UNKNOWN, None)
    with pytest.raises(Offline):
        printer.print_receipt(receipt_of(richest_report()), timeout=10)
    assert escpos_sink.jobs == []
    assert not printer.check_health(HealthLevel.INTERNAL).ok


def test_silence_after_the_job_leaves_it_unconfirmed(escpos_sink: EscposSink) -> None:
    printer = printer_for(escpos_sink)
    escpos_sink.after_cut = dict.fromkeys(encode_status())

    result = printer.print_receipt(receipt_of(richest_report()), timeout=10)

    assert not result.confirmed and len(escpos_sink.jobs) == 1


def test_a_printer_without_realtime_status_prints_but_never_confirms(
    escpos_sink: EscposSink,
) -> None:
    printer = printer_for(escpos_sink, realtime_status=False)

    result = printer.print_receipt(receipt_of(richest_report()), timeout=10)

    assert not result.confirmed and len(escpos_sink.wait_for_jobs(1)) == 1
    assert escpos_sink.queries == []


def test_a_printer_nobody_listens_for_is_offline(escpos_sink: EscposSink) -> None:
    printer = printer_for(escpos_sink)
    escpos_sink.stop()

    assert printer.status().online is False
    with pytest.raises(Offline):
        printer.print_receipt(Receipt((Text("x", Align.CENTER),)), timeout=5)
    assert printer.state is DeviceState.OFFLINE


def test_self_test_slip_prints_at_the_external_level(escpos_sink: EscposSink) -> None:
    printer = printer_for(escpos_sink)

    report = printer.check_health(HealthLevel.EXTERNAL)

    assert report.ok, report.text
    assert "打印机自检" in only_job(escpos_sink).text
