"""The CUPS driver against a private cupsd: a cups-pdf A4 queue, a raw queue to a TCP sink,
and a queue on a test backend that reports printer faults."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from devices.base import (
    CoverOpen,
    DeviceError,
    DeviceState,
    HealthLevel,
    NotFound,
    Offline,
    PaperJam,
    PaperOut,
    PrintCancelled,
    Toner,
)
from devices.printers.cups import CupsDocumentPrinter, CupsOptions, count_pages
from devices.registry import load_document_printer
from kiosk.contract import CreditReport
from kiosk.documents.report_pdf import TITLE, build_report_pdf
from kiosk.report_model import CHINA_TIME, verify_url
from sandbox import population
from tests.integration.printers.cupsd import Cupsd
from tests.integration.printers.sinks import ByteSink

try:
    import cups
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("pycups is not installed (make test installs it)", allow_module_level=True)

pytestmark = pytest.mark.service

PRINTED_AT = dt.datetime(2026, 11, 24, 10, 30, tzinfo=CHINA_TIME)


@functools.cache
def report() -> CreditReport:
    resident = population.richest_resident()
    return population.build_report(resident, "XT20261124000888", "K7D2QX", PRINTED_AT)


@functools.cache
def report_pdf() -> bytes:
    return build_report_pdf(
        report(),
        terminal_id="XT-TEST-009",
        printed_at=PRINTED_AT,
        verify_url=verify_url("https://credit.example.cn", report()),
    )


def printer_for(cupsd: Cupsd, queue: str) -> CupsDocumentPrinter:
    printer = load_document_printer(
        "cups", CupsOptions(queue=queue, server=str(cupsd.socket), poll_s=0.05)
    )
    assert isinstance(printer, CupsDocumentPrinter)
    printer.open()
    return printer


def job_state(cupsd: Cupsd, job_id: str) -> int | None:
    """The job's state, or None once it is purged from CUPS."""
    connection = cups.Connection(host=str(cupsd.socket))
    try:
        return int(connection.getJobAttributes(int(job_id), ["job-state"])["job-state"])
    except cups.IPPError:
        return None


def spooled(cupsd: Cupsd, job_id: str) -> list[Path]:
    """The job's documents still in the CUPS spool (CUPS keeps them a day by default)."""
    return sorted((cupsd.root / "spool").glob(f"d{int(job_id):05d}-*"))


def wait_for_file(directory: Path, pattern: str, timeout: float = 10.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(directory.glob(pattern))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} in {directory}")


def test_a4_job_completes_and_the_cups_pdf_output_renders(
    cupsd: Cupsd, queue_name: str, artifacts: Path, tmp_path: Path
) -> None:
    cupsd.add_pdf_queue(queue_name)
    printer = printer_for(cupsd, queue_name)
    pdf = report_pdf()

    result = printer.print_pdf(pdf, f"report {report().report_no}", timeout=30)

    assert result.confirmed and result.pages == count_pages(pdf) > 1
    assert job_state(cupsd, result.job_id) is None and spooled(cupsd, result.job_id) == []
    output = wait_for_file(cupsd.pdf_out, f"report_{report().report_no}*.pdf")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(output), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == result.pages
    for page in pages:
        with Image.open(page) as image:
            dark = sum(image.convert("L").histogram()[:200])
            assert dark > 0.01 * image.width * image.height, f"{page.name} is blank"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(output),
            str(artifacts / "report-page1-via-cups-pdf"),
        ],
        check=True,
    )
    assert printer.state is DeviceState.IDLE


def test_raw_queue_delivers_the_submitted_pdf_unchanged_with_every_section(
    cupsd: Cupsd, queue_name: str, byte_sink: ByteSink
) -> None:
    cupsd.add_raw_queue(queue_name, byte_sink.port)
    printer = printer_for(cupsd, queue_name)
    pdf = report_pdf()

    result = printer.print_pdf(pdf, f"report {report().report_no}", timeout=30)

    assert result.confirmed
    (received,) = byte_sink.wait_for(1)
    assert received == pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(received)).pages)
    for expected in (TITLE, report().report_no, report().verify_code, "第 1 页", "XT-TEST-009"):
        assert expected in text
    for section in report().sections:
        assert section.title in text
    for column in report().section("admin_penalty").columns:
        assert column in text


def test_a_stopped_queue_leaves_the_job_pending_until_it_is_cancelled(
    cupsd: Cupsd, queue_name: str, byte_sink: ByteSink
) -> None:
    cupsd.add_raw_queue(queue_name, byte_sink.port)
    printer = printer_for(cupsd, queue_name)
    cupsd.run("cupsdisable", queue_name)

    started = time.monotonic()
    with pytest.raises(PrintCancelled) as raised:
        printer.print_pdf(report_pdf(), "report cancel-test", timeout=1.0)

    assert time.monotonic() - started < 5
    fault = raised.value
    assert "cancelled" in fault.message and "pending" in fault.message
    assert f"cupsenable {queue_name}" in fault.technician_hint
    job_id = fault.message.split()[2]
    assert job_state(cupsd, job_id) is None  # cancelled, then purged with its document
    assert spooled(cupsd, job_id) == []
    assert printer.state is DeviceState.ERROR
    health = printer.check_health(HealthLevel.INTERNAL)
    assert not health.ok and f"cupsenable {queue_name}" in health.text
    cupsd.run("cupsenable", queue_name)
    time.sleep(0.3)
    assert byte_sink.received == []  # the cancelled job never prints, even once enabled


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("media-empty-error", PaperOut),
        ("door-open-error", CoverOpen),
        ("media-jam-error", PaperJam),
        ("offline-report", Offline),
    ],
)
def test_a_printer_fault_during_the_job_fails_it_and_keeps_it_queued(
    cupsd: Cupsd, queue_name: str, tmp_path: Path, reason: str, error: type[DeviceError]
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name)
    control.write_text(reason, encoding="ascii")
    pdf = report_pdf()

    with pytest.raises(error) as raised:
        printer.print_pdf(pdf, "report fault-test", timeout=10)

    assert "stays queued" in raised.value.technician_hint
    (kept,) = printer.kept_jobs
    assert job_state(cupsd, str(kept)) == cups.IPP_JOB_PROCESSING
    health = printer.check_health(HealthLevel.INTERNAL)
    assert not health.ok and health.details["kept_jobs"] == str(kept)
    assert reason.rsplit("-", 1)[0] in health.details["printer_state_reasons"]
    control.write_text("ok", encoding="ascii")  # staff fix the printer: the job prints
    printed = wait_for_file(tmp_path, "fault.out")
    deadline = time.monotonic() + 5
    while job_state(cupsd, str(kept)) != cups.IPP_JOB_COMPLETED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job_state(cupsd, str(kept)) == cups.IPP_JOB_COMPLETED
    assert printed.read_bytes() == pdf


def test_a_fault_before_the_job_submits_nothing(
    cupsd: Cupsd, queue_name: str, tmp_path: Path
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name)
    control.write_text("media-empty-error", encoding="ascii")
    with pytest.raises(PaperOut):  # the first job finds out, and stays queued
        printer.print_pdf(report_pdf(), "report first", timeout=10)

    with pytest.raises(PaperOut) as raised:
        printer.print_pdf(report_pdf(), "report second", timeout=10)

    assert "before the job" in raised.value.message
    assert len(printer.kept_jobs) == 1
    control.write_text("ok", encoding="ascii")


def test_toner_low_prints_and_reports_the_supply(
    cupsd: Cupsd, queue_name: str, tmp_path: Path
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name)
    control.write_text("toner-low-warning", encoding="ascii")

    result = printer.print_pdf(report_pdf(), "report toner", timeout=10)

    assert result.confirmed and result.status_after is not None
    assert result.status_after.toner is Toner.LOW
    health = printer.check_health(HealthLevel.INTERNAL)
    assert health.ok and "toner low" in health.text


def test_an_unknown_queue_is_not_found(cupsd: Cupsd) -> None:
    printer = CupsDocumentPrinter("no-such-queue", server=str(cupsd.socket))
    with pytest.raises(NotFound):
        printer.open()
    assert printer.status().online is False
    with pytest.raises(NotFound):
        printer.print_pdf(report_pdf(), "report x", timeout=5)


def test_an_unreachable_scheduler_is_offline(tmp_path: Path) -> None:
    printer = CupsDocumentPrinter("kiosk-a4", server=str(tmp_path / "no-cupsd.sock"))
    with pytest.raises(Offline):
        printer.open()
    status = printer.status()
    assert status.online is False and status.toner is Toner.UNKNOWN
    with pytest.raises(Offline):
        printer.print_pdf(report_pdf(), "report x", timeout=5)
