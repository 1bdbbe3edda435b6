"""The CUPS driver against a private cupsd: a cups-pdf A4 queue, a raw queue to a TCP sink,
and a queue on a test backend that reports printer faults."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import signal
import subprocess
import threading
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
    Timeout,
    Toner,
)
from devices.printers.cups import CupsDocumentPrinter, CupsOptions, count_pages
from devices.printers.kept_jobs import KEEP_FOR_S, KeptJobStore
from devices.registry import load_document_printer
from kiosk.contract import CreditReport
from kiosk.documents.report_pdf import build_report_pdf
from kiosk.report_model import CHINA_TIME, PERSON_TITLE, verify_url
from sandbox import population
from tests.clock import FakeClock
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


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def kept_jobs(state_dir: Path) -> KeptJobStore:
    return KeptJobStore(state_dir / "kept-print-jobs", b"terminal secret")


def printer_for(
    cupsd: Cupsd, queue: str, kept_jobs: KeptJobStore, ipp_timeout_s: float = 5.0
) -> CupsDocumentPrinter:
    options = CupsOptions(
        queue=queue, server=str(cupsd.socket), poll_s=0.05, ipp_timeout_s=ipp_timeout_s
    )
    printer = load_document_printer("cups", options, kept_jobs)
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
    cupsd: Cupsd, queue_name: str, kept_jobs: KeptJobStore, artifacts: Path, tmp_path: Path
) -> None:
    cupsd.add_pdf_queue(queue_name)
    printer = printer_for(cupsd, queue_name, kept_jobs)
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
    cupsd: Cupsd, queue_name: str, kept_jobs: KeptJobStore, byte_sink: ByteSink
) -> None:
    cupsd.add_raw_queue(queue_name, byte_sink.port)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    pdf = report_pdf()

    result = printer.print_pdf(pdf, f"report {report().report_no}", timeout=30)

    assert result.confirmed
    (received,) = byte_sink.wait_for(1)
    assert received == pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(received)).pages)
    for expected in (
        PERSON_TITLE,
        report().report_no,
        report().verify_code,
        "第 1 页",
        "XT-TEST-009",
    ):
        assert expected in text
    for section in report().sections:
        assert section.title in text
    for column in report().section("admin_penalty").columns:
        assert column in text


def test_a_stopped_queue_leaves_the_job_pending_until_it_is_cancelled(
    cupsd: Cupsd, queue_name: str, kept_jobs: KeptJobStore, byte_sink: ByteSink
) -> None:
    cupsd.add_raw_queue(queue_name, byte_sink.port)
    printer = printer_for(cupsd, queue_name, kept_jobs)
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


def files_under(*directories: Path) -> list[Path]:
    return [path for d in directories for path in d.rglob("*") if path.is_file()]


def assert_no_report_in(*directories: Path) -> None:
    """No PDF and no resident's name, in any encoding a PDF or a log might hold it."""
    name = report().subject.name
    for path in files_under(*directories):
        data = path.read_bytes()
        assert b"%PDF" not in data, path
        for encoding in ("utf-8", "utf-16-be", "gb18030"):
            assert name.encode(encoding) not in data, path


def wait_until_purged(cupsd: Cupsd, job_id: str) -> None:
    deadline = time.monotonic() + 5
    while (job_state(cupsd, job_id) or spooled(cupsd, job_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job_state(cupsd, job_id) is None and spooled(cupsd, job_id) == []


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("media-empty-error", PaperOut),
        ("door-open-error", CoverOpen),
        ("media-jam-error", PaperJam),
        ("offline-report", Offline),
    ],
)
def test_a_printer_fault_during_the_job_keeps_it_encrypted_and_out_of_the_cups_spool(
    cupsd: Cupsd,
    queue_name: str,
    kept_jobs: KeptJobStore,
    state_dir: Path,
    tmp_path: Path,
    reason: str,
    error: type[DeviceError],
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    control.write_text(reason, encoding="ascii")
    pdf = report_pdf()

    with pytest.raises(error) as raised:
        printer.print_pdf(pdf, "report fault-test", timeout=10)

    fault = raised.value
    assert fault.job_kept and "kept encrypted" in fault.technician_hint
    cups_job = fault.message.split("job ")[1].split()[0]
    wait_until_purged(cupsd, cups_job)  # withdrawn: no plaintext copy left with CUPS
    (kept,) = kept_jobs.jobs()
    assert kept.id in fault.technician_hint
    assert_no_report_in(state_dir, cupsd.root / "spool")
    health = printer.check_health(HealthLevel.INTERNAL)
    assert health.details["kept_jobs"].startswith(f"{kept.id} (kept ")

    assert printer.print_kept_jobs(timeout=10) == []  # still broken: interrupted, kept again
    assert kept_jobs.jobs() == [kept] and printer.last_fault is not None
    assert_no_report_in(state_dir, cupsd.root / "spool")
    control.write_text("ok", encoding="ascii")  # staff fix the printer
    time.sleep(0.3)
    assert not (tmp_path / "fault.out").exists()  # nothing prints by itself, unattended
    (result,) = printer.print_kept_jobs(timeout=10)

    assert result.confirmed and (tmp_path / "fault.out").read_bytes() == pdf
    assert kept_jobs.jobs() == [] and files_under(state_dir) == []  # printed: deleted
    wait_until_purged(cupsd, result.job_id)
    assert printer.state is DeviceState.IDLE and printer.check_health(HealthLevel.INTERNAL).ok


def test_a_kept_job_goes_unprinted_after_24_hours(
    cupsd: Cupsd, queue_name: str, state_dir: Path, tmp_path: Path
) -> None:
    clock = FakeClock()
    kept_jobs = KeptJobStore(state_dir / "kept-print-jobs", b"terminal secret", clock=clock)
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    control.write_text("media-empty-error", encoding="ascii")
    with pytest.raises(PaperOut):
        printer.print_pdf(report_pdf(), "report expires", timeout=10)
    assert len(kept_jobs.jobs()) == 1

    clock.now += KEEP_FOR_S + 1
    control.write_text("ok", encoding="ascii")

    assert "kept_jobs" not in printer.check_health(HealthLevel.INTERNAL).details
    assert printer.print_kept_jobs(timeout=10) == []
    assert files_under(state_dir) == [] and not (tmp_path / "fault.out").exists()


def test_jobs_left_by_a_crash_are_tidied_when_the_printer_opens(
    cupsd: Cupsd, queue_name: str, state_dir: Path, tmp_path: Path
) -> None:
    clock = FakeClock()
    directory = state_dir / "kept-print-jobs"
    before_crash = KeptJobStore(directory, b"terminal secret", clock=clock)
    before_crash.keep(report_pdf(), "report stale")
    clock.now += KEEP_FOR_S - 60
    young, _ = before_crash.keep(report_pdf(), "report young")
    (directory / f".{young.id}.tmp").write_bytes(b"half written")
    clock.now += 120  # the kiosk restarts: the first job is now over 24 h old
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)

    kept_jobs = KeptJobStore(directory, b"terminal secret", clock=clock)
    printer = printer_for(cupsd, queue_name, kept_jobs)

    assert [p.name for p in files_under(state_dir)] == [f"{young.id}.kept"]
    (result,) = printer.print_kept_jobs(timeout=10)
    assert result.confirmed and (tmp_path / "fault.out").read_bytes() == report_pdf()
    assert files_under(state_dir) == []


def test_a_hung_cupsd_costs_one_thread_however_many_calls_are_made(
    tmp_path: Path, kept_jobs: KeptJobStore, cupsd: Cupsd
) -> None:
    hung = Cupsd()  # a scheduler of its own, so stopping it disturbs no other test
    hung.start()
    try:
        hung.add_pdf_queue("kiosk-hung")
        printer = printer_for(hung, "kiosk-hung", kept_jobs, ipp_timeout_s=0.2)
        assert hung.process is not None
        hung.process.send_signal(signal.SIGSTOP)
        try:
            for _ in range(20):
                assert printer.status().online is None  # no answer: unknown, not offline
            with pytest.raises(Timeout):
                printer.print_pdf(report_pdf(), "report hung", timeout=1)
            assert len(ipp_threads()) == 1
        finally:
            hung.process.send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 10
        while ipp_threads() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ipp_threads() == []  # the stuck call returned once cupsd woke up
        assert printer.status().online is True
    finally:
        hung.stop()


def ipp_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("cups-")]


def test_a_fault_on_the_queue_refuses_the_job_unless_a_withdrawn_job_left_it_there(
    cupsd: Cupsd, queue_name: str, kept_jobs: KeptJobStore, tmp_path: Path
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    control.write_text("media-empty-error", encoding="ascii")
    with pytest.raises(PaperOut):  # the first job finds out, and is kept
        printer.print_pdf(report_pdf(), "report first", timeout=10)
    other_kiosk_jobs = KeptJobStore(tmp_path / "other", b"terminal secret")
    options = CupsOptions(queue=queue_name, server=str(cupsd.socket), poll_s=0.05)
    other = load_document_printer("cups", options, other_kiosk_jobs)
    with pytest.raises(PaperOut):
        other.open()

    with pytest.raises(PaperOut) as refused:  # the queue's fault is news to this driver
        other.print_pdf(report_pdf(), "report refused", timeout=10)
    with pytest.raises(PaperOut) as tried:  # this one withdrew the job that left the fault
        printer.print_pdf(report_pdf(), "report second", timeout=10)

    assert "before the job" in refused.value.message and not refused.value.job_kept
    assert other_kiosk_jobs.jobs() == []
    assert "under way" in tried.value.message and tried.value.job_kept
    assert len(kept_jobs.jobs()) == 2
    control.write_text("ok", encoding="ascii")
    printed = printer.print_kept_jobs(timeout=10)
    assert [r.confirmed for r in printed] == [True, True] and kept_jobs.jobs() == []


def test_kept_jobs_are_bounded_and_the_technician_hears_of_a_dropped_one(
    cupsd: Cupsd, queue_name: str, state_dir: Path, tmp_path: Path
) -> None:
    kept_jobs = KeptJobStore(state_dir / "kept-print-jobs", b"terminal secret", limit=1)
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    control.write_text("media-empty-error", encoding="ascii")
    with pytest.raises(PaperOut):
        printer.print_pdf(report_pdf(), "report first", timeout=10)
    (first,) = kept_jobs.jobs()

    with pytest.raises(PaperOut) as raised:
        printer.print_pdf(report_pdf(), "report second", timeout=10)

    (second,) = kept_jobs.jobs()
    assert second != first and raised.value.job_kept
    assert f"kept job(s) {first.id} were dropped unprinted" in raised.value.technician_hint
    control.write_text("ok", encoding="ascii")


def test_toner_low_prints_and_reports_the_supply(
    cupsd: Cupsd, queue_name: str, kept_jobs: KeptJobStore, tmp_path: Path
) -> None:
    control = tmp_path / "fault"
    cupsd.add_fault_queue(queue_name, control)
    printer = printer_for(cupsd, queue_name, kept_jobs)
    control.write_text("toner-low-warning", encoding="ascii")

    result = printer.print_pdf(report_pdf(), "report toner", timeout=10)

    assert result.confirmed and result.status_after is not None
    assert result.status_after.toner is Toner.LOW
    health = printer.check_health(HealthLevel.INTERNAL)
    assert health.ok and "toner low" in health.text


def test_an_unknown_queue_is_not_found(cupsd: Cupsd, kept_jobs: KeptJobStore) -> None:
    printer = CupsDocumentPrinter("no-such-queue", kept_jobs=kept_jobs, server=str(cupsd.socket))
    with pytest.raises(NotFound):
        printer.open()
    assert printer.status().online is False
    with pytest.raises(NotFound):
        printer.print_pdf(report_pdf(), "report x", timeout=5)


def test_an_unreachable_scheduler_is_offline(tmp_path: Path, kept_jobs: KeptJobStore) -> None:
    socket = str(tmp_path / "no-cupsd.sock")
    printer = CupsDocumentPrinter("kiosk-a4", kept_jobs=kept_jobs, server=socket)
    with pytest.raises(Offline):
        printer.open()
    status = printer.status()
    assert status.online is False and status.toner is Toner.UNKNOWN
    with pytest.raises(Offline):
        printer.print_pdf(report_pdf(), "report x", timeout=5)
