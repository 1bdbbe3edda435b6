"""A resident's print through the whole core with real printers: the ESC/POS sink and a
private cupsd behind the terminal, the sandbox platform, the outbox, and the failure screen."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from devices.printers.cups import CupsOptions
from devices.printers.escpos import EscposOptions
from devices.printers.escpos_status import encode_status
from kiosk.config import DeviceSettings, SessionSettings, device_settings
from kiosk.demo import DemoEnvironment
from kiosk.session import FailureReason, PrintKind, State
from sandbox import population
from tests.integration.printers.cupsd import Cupsd
from tests.integration.printers.sinks import ByteSink, EscposSink
from tests.kiosk_harness import RunningKiosk
from ui.screens.outcome import FailureScreen
from ui.strings.failure import describe

SESSION = SessionSettings(
    reading_timeout_s=5,
    authenticating_timeout_s=5,
    fetching_timeout_s=5,
    showing_idle_timeout_s=30,
    printing_timeout_s=4,
    done_timeout_s=30,
    failed_timeout_s=30,
)


class Kiosk(RunningKiosk):
    """The core with the given printers and a report on screen."""

    def __init__(
        self,
        demo: DemoEnvironment,
        receipt: DeviceSettings,
        a4: DeviceSettings,
        session: SessionSettings = SESSION,
    ) -> None:
        assert demo.settings is not None
        settings = replace(
            demo.settings, receipt_printer=receipt, document_printer=a4, session=session
        )
        super().__init__(settings, demo.cards)
        self.reader.lay_card(population.DEMO_KEYS[0])
        self.wait_for(State.SHOWING)

    def print(self, *kinds: PrintKind) -> None:
        self.runtime.terminal.print_report(frozenset(kinds))


def escpos(sink: EscposSink) -> DeviceSettings:
    return DeviceSettings(
        "escpos",
        EscposOptions(
            connection=sink.url,
            profile="kiosk-80-cn",
            profile_overrides={"print_speed_mm_s": 100_000},
            status_timeout_s=0.3,
        ),
    )


def cups_queue(cupsd: Cupsd, queue_name: str) -> DeviceSettings:
    return DeviceSettings(
        "cups", CupsOptions(queue=queue_name, server=str(cupsd.socket), poll_s=0.05)
    )


def simulated(demo: DemoEnvironment, kind: str) -> DeviceSettings:
    """A simulated ``receipt_printer`` or ``document_printer`` printing into the demo's folder."""
    options = {"output_dir": str(demo.printed_dir), "job_delay_s": 0.0}
    return device_settings(kind, "simulated", options)


@pytest.mark.service
def test_both_printers_print_and_the_platform_hears_of_both(
    demo: DemoEnvironment, escpos_sink: EscposSink, cupsd: Cupsd, queue_name: str
) -> None:
    cupsd.add_pdf_queue(queue_name)
    escpos_sink.set_status(near_end=True)
    # cups-pdf runs Ghostscript: on a loaded machine an A4 job takes seconds
    slow_a4 = replace(SESSION, printing_timeout_s=30)
    kiosk = Kiosk(demo, escpos(escpos_sink), cups_queue(cupsd, queue_name), slow_a4)
    try:
        kiosk.print(PrintKind.A4, PrintKind.RECEIPT)
        kiosk.wait_for(State.DONE, timeout=40)
        records = kiosk.events("print_record")
        assert sorted(r["kind"] for r in records) == ["a4", "receipt"]
        assert all(r["confirmed"] for r in records)
        faults = kiosk.events("device_fault")
        assert [(f["device"], f["code"]) for f in faults] == [("receipt_printer", "paper_low")]
    finally:
        kiosk.runtime.stop()


def test_paper_out_mid_receipt_tells_the_resident_and_the_technician(
    demo: DemoEnvironment, escpos_sink: EscposSink, qtbot: QtBot
) -> None:
    escpos_sink.after_cut = dict(encode_status(paper_end=True, paper_end_stop=True, offline=True))
    kiosk = Kiosk(demo, escpos(escpos_sink), simulated(demo, "document_printer"))
    try:
        kiosk.print(PrintKind.RECEIPT)
        failed = kiosk.wait_for(State.FAILED)
        assert failed.failure is not None
        assert failed.failure.reason is FailureReason.PRINTER_FAULT
        assert failed.failure.code == "paper_out_kept"
        screen = FailureScreen()
        qtbot.addWidget(screen)
        screen.show_failure(failed.failure)
        assert screen.title.text() == "打印中断：打印机缺纸"
        assert "工作人员" in screen.message.text() and "请勿重复打印" in screen.message.text()
        assert "错误代码 3" in screen.detail.text()  # 3xxx: the printers
        assert kiosk.events("print_record") == []
        (fault,) = kiosk.events("device_fault")
        assert (fault["device"], fault["code"]) == ("receipt_printer", "paper_out")
        assert "prints by itself" in fault["hint"]
        assert len(escpos_sink.jobs) == 1
    finally:
        kiosk.runtime.stop()


@pytest.mark.service
def test_a_stopped_a4_queue_times_out_cancels_and_says_so_on_screen(
    demo: DemoEnvironment, cupsd: Cupsd, queue_name: str, byte_sink: ByteSink, qtbot: QtBot
) -> None:
    cupsd.add_raw_queue(queue_name, byte_sink.port)
    cupsd.run("cupsdisable", queue_name)
    kiosk = Kiosk(demo, simulated(demo, "receipt_printer"), cups_queue(cupsd, queue_name))
    try:
        kiosk.print(PrintKind.A4)
        failed = kiosk.wait_for(State.FAILED, timeout=SESSION.printing_timeout_s + 2)
        assert failed.failure is not None and failed.failure.code == "print_cancelled"
        what, todo = describe(failed.failure)
        screen = FailureScreen()
        qtbot.addWidget(screen)
        screen.show_failure(failed.failure)
        assert screen.title.text() == what == "打印超时，本次打印已取消"
        assert "工作人员" in todo and "不会再自动打出" in todo
        assert kiosk.events("print_record") == []
        stopped, fault = kiosk.events("device_fault")
        assert (stopped["code"], fault["code"]) == ("health_check_failed", "print_cancelled")
        assert fault["device"] == "document_printer"
        assert f"cupsenable {queue_name}" in stopped["message"]
        assert f"cupsenable {queue_name}" in fault["hint"]
        assert "报告" not in fault["message"]
    finally:
        kiosk.runtime.stop()
    cupsd.run("cupsenable", queue_name)
    time.sleep(0.3)
    assert byte_sink.received == []


def test_a_printer_that_cannot_confirm_fails_the_print_without_a_record(
    demo: DemoEnvironment, escpos_sink: EscposSink
) -> None:
    escpos_sink.after_cut = dict.fromkeys(encode_status())
    kiosk = Kiosk(demo, escpos(escpos_sink), simulated(demo, "document_printer"))
    try:
        kiosk.print(PrintKind.RECEIPT)
        failed = kiosk.wait_for(State.FAILED)
        assert failed.failure is not None and failed.failure.code == "unconfirmed"
        assert describe(failed.failure)[0] == "无法确认打印结果"
        assert kiosk.events("print_record") == []
        assert [f["code"] for f in kiosk.events("device_fault")] == ["print_unconfirmed"]
    finally:
        kiosk.runtime.stop()


@pytest.mark.service
def test_an_a4_paper_out_leaves_the_report_only_sealed_and_prints_it_once_fixed(
    demo: DemoEnvironment, cupsd: Cupsd, queue_name: str, tmp_path: Path
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    kiosk = Kiosk(demo, simulated(demo, "receipt_printer"), cups_queue(cupsd, queue_name))
    assert demo.settings is not None
    state_dir = demo.settings.terminal.state_dir
    resident = population.by_key(population.DEMO_KEYS[0])
    try:
        control.write_text("media-empty-error", encoding="ascii")
        kiosk.print(PrintKind.A4)
        failed = kiosk.wait_for(State.FAILED)
        assert failed.failure is not None and failed.failure.code == "paper_out_kept"
        (fault,) = kiosk.events("device_fault")
        assert "kept encrypted" in fault["hint"]

        files = [p for d in (state_dir, cupsd.root / "spool") for p in d.rglob("*") if p.is_file()]
        assert len(list((state_dir / "kept-print-jobs").iterdir())) == 1
        for path in files:
            data = path.read_bytes()
            assert b"%PDF" not in data, path
            for secret in (resident.name, resident.id_number):
                for encoding in ("utf-8", "utf-16-be", "gb18030"):
                    assert secret.encode(encoding) not in data, path

        control.write_text("ok", encoding="ascii")  # staff load paper; nobody at the kiosk
        printer = kiosk.runtime.terminal.devices.document_printer
        (printed,) = printer.print_kept_jobs(timeout=10)
        assert printed.confirmed and (tmp_path / "fault.out").read_bytes().startswith(b"%PDF-")
        assert list((state_dir / "kept-print-jobs").iterdir()) == []
    finally:
        kiosk.runtime.stop()
