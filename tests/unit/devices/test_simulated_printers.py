"""The simulated printers: what they write, how scripted faults fail, what status says."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from devices.base import (
    Cover,
    CoverOpen,
    DeviceError,
    DeviceState,
    HealthLevel,
    Offline,
    Paper,
    PaperOut,
    Timeout,
)
from devices.faults import FaultScript
from devices.printers.kept_jobs import KeptJobStore
from devices.printers.receipt import QrCode, Receipt, Rule, Text
from devices.printers.simulated import (
    SimulatedDocumentOptions,
    SimulatedDocumentPrinter,
    SimulatedReceiptOptions,
    SimulatedReceiptPrinter,
)
from devices.registry import load_document_printer, load_receipt_printer
from tests.escpos_decoder import decode

NAME = "测试员甲"
RECEIPT = Receipt((Text(f"姓名：{NAME}"), Rule(), QrCode("https://example.test/v/1")))


def pdf_with_pages(pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(pages):
        canvas.drawString(100, 700, f"page {n + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def receipt_printer(tmp_path: Path, *faults: str, columns: int = 32) -> SimulatedReceiptPrinter:
    printer = SimulatedReceiptPrinter(
        tmp_path, columns=columns, faults=FaultScript(list(faults)), job_delay_s=0
    )
    printer.open()
    return printer


def document_printer(tmp_path: Path, *faults: str) -> SimulatedDocumentPrinter:
    printer = SimulatedDocumentPrinter(tmp_path, faults=FaultScript(list(faults)), job_delay_s=0)
    printer.open()
    return printer


def written(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir())


def test_receipt_job_writes_the_escpos_bytes_and_a_preview(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path)

    result = printer.print_receipt(RECEIPT, timeout=5)

    assert (result.job_id, result.confirmed, result.pages) == ("R0001", True, 1)
    assert written(tmp_path) == ["receipt-R0001.bin", "receipt-R0001.png"]
    decoded = decode((tmp_path / "receipt-R0001.bin").read_bytes())
    assert decoded.lines[0].text == f"姓名：{NAME}"
    assert decoded.qr_codes[0].data == b"https://example.test/v/1"
    with Image.open(tmp_path / "receipt-R0001.png") as picture:
        assert picture.format == "PNG"
        assert 384 <= picture.width < 384 + 100


def test_job_ids_are_sequential_per_printer(tmp_path: Path) -> None:
    receipts = receipt_printer(tmp_path / "r")
    documents = document_printer(tmp_path / "d")

    ids = [receipts.print_receipt(RECEIPT, 5).job_id for _ in range(3)]
    ids.append(documents.print_pdf(pdf_with_pages(1), "report X", 5).job_id)

    assert ids == ["R0001", "R0002", "R0003", "D0001"]


def test_document_job_writes_the_pdf_and_counts_its_pages(tmp_path: Path) -> None:
    printer = document_printer(tmp_path)
    pdf = pdf_with_pages(3)

    result = printer.print_pdf(pdf, "report XT1", timeout=5)

    assert (result.job_id, result.confirmed, result.pages) == ("D0001", True, 3)
    assert (tmp_path / "report-D0001.pdf").read_bytes() == pdf


def test_document_printer_refuses_what_is_not_a_pdf(tmp_path: Path) -> None:
    printer = document_printer(tmp_path)

    with pytest.raises(DeviceError, match="not a PDF"):
        printer.print_pdf(b"hello", "report XT1", timeout=5)
    assert written(tmp_path) == []


def test_paper_out_after_two_jobs_fails_the_third_and_writes_nothing(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path, "paper_out_after_job:2")
    printer.print_receipt(RECEIPT, 5)
    printer.print_receipt(RECEIPT, 5)

    with pytest.raises(PaperOut) as caught:
        printer.print_receipt(RECEIPT, 5)

    assert not any("R0003" in name for name in written(tmp_path))
    assert printer.state is DeviceState.ERROR
    assert printer.status().paper is Paper.OUT
    assert NAME not in str(caught.value) and NAME not in caught.value.technician_hint
    health = printer.check_health(HealthLevel.INTERNAL)
    assert not health.ok
    assert "paper" in health.text and health.details["paper"] == "out"


def test_paper_out_from_the_start_shows_before_any_job(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path, "paper_out_after_job:0")

    assert printer.status().paper is Paper.OUT
    assert not printer.check_health(HealthLevel.INTERNAL).ok


def test_cover_open_on_first_job_fails_it_then_the_next_job_prints(tmp_path: Path) -> None:
    printer = document_printer(tmp_path, "cover_open_on_job:1")
    assert printer.status().cover is Cover.OPEN

    with pytest.raises(CoverOpen):
        printer.print_pdf(pdf_with_pages(1), "report X", 5)
    assert printer.status().cover is Cover.OPEN
    assert written(tmp_path) == []

    assert printer.print_pdf(pdf_with_pages(1), "report X", 5).job_id == "D0002"
    assert printer.status().cover is Cover.CLOSED
    assert printer.state is DeviceState.IDLE
    assert written(tmp_path) == ["report-D0002.pdf"]


def test_offline_printer_answers_nothing(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path, "offline_after_job:0")
    assert printer.state is DeviceState.OFFLINE

    with pytest.raises(Offline):
        printer.print_receipt(RECEIPT, 5)

    status = printer.status()
    assert (status.paper, status.cover, status.online) == (Paper.UNKNOWN, Cover.UNKNOWN, False)
    assert written(tmp_path) == []


def test_near_end_prints_and_reports_paper_low(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path, "near_end_after_job:0")

    printer.print_receipt(RECEIPT, 5)

    assert printer.status().paper is Paper.LOW
    assert printer.state is DeviceState.IDLE
    health = printer.check_health(HealthLevel.INTERNAL)
    assert health.ok and "near end" in health.text


def test_paper_jam_fails_a_document_job(tmp_path: Path) -> None:
    printer = document_printer(tmp_path, "jam_on_job:1")

    with pytest.raises(DeviceError, match="jam") as caught:
        printer.print_pdf(pdf_with_pages(1), "report X", 5)

    assert caught.value.technician_hint
    assert written(tmp_path) == []


def test_a_job_slower_than_its_timeout_times_out_and_writes_nothing(tmp_path: Path) -> None:
    printer = SimulatedReceiptPrinter(tmp_path, job_delay_s=0.2)
    printer.open()

    with pytest.raises(Timeout):
        printer.print_receipt(RECEIPT, timeout=0.01)

    assert written(tmp_path) == []
    assert printer.state is DeviceState.ERROR


def test_state_is_busy_during_a_job_and_idle_after(tmp_path: Path) -> None:
    printer = SimulatedReceiptPrinter(tmp_path, job_delay_s=0.3)
    printer.open()
    job = threading.Thread(target=printer.print_receipt, args=(RECEIPT, 5))
    job.start()
    seen = set()
    deadline = time.monotonic() + 5
    while job.is_alive() and time.monotonic() < deadline:
        seen.add(printer.state)
        time.sleep(0.01)
    job.join(timeout=5)

    assert DeviceState.BUSY in seen
    assert printer.state is DeviceState.IDLE


def test_healthy_printer_says_ready(tmp_path: Path) -> None:
    printer = receipt_printer(tmp_path)

    health = printer.check_health(HealthLevel.INTERNAL)

    assert health.ok and "ready" in health.text
    assert printer.status().paper is Paper.OK and printer.status().online is True


def test_a_closed_printer_does_not_print(tmp_path: Path) -> None:
    printer = SimulatedReceiptPrinter(tmp_path, job_delay_s=0)

    with pytest.raises(DeviceError, match="not open"):
        printer.print_receipt(RECEIPT, 5)
    assert not printer.check_health(HealthLevel.INTERNAL).ok


def test_options_build_the_printer_through_the_registry(tmp_path: Path) -> None:
    options = SimulatedReceiptOptions(
        output_dir=tmp_path, columns=48, job_delay_s=0, faults=("near_end_after_job:0",)
    )
    printer = load_receipt_printer("simulated", options)
    printer.open()

    printer.print_receipt(RECEIPT, 5)

    assert isinstance(printer, SimulatedReceiptPrinter) and printer.columns == 48
    assert printer.status().paper is Paper.LOW
    assert decode((tmp_path / "receipt-R0001.bin").read_bytes()).lines[1].text == "-" * 48
    kept_jobs = KeptJobStore(tmp_path / "kept", b"secret")
    document = load_document_printer(
        "simulated", SimulatedDocumentOptions(output_dir=tmp_path), kept_jobs
    )
    assert isinstance(document, SimulatedDocumentPrinter)


def test_the_registry_refuses_another_drivers_options(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="SimulatedReceiptOptions"):
        load_receipt_printer("simulated", SimulatedDocumentOptions(output_dir=tmp_path))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: SimulatedReceiptOptions(columns=7), "columns: a receipt needs at least 8"),
        (lambda: SimulatedReceiptOptions(job_delay_s=-0.1), "job_delay_s: must be 0 or more"),
        (lambda: SimulatedDocumentOptions(faults=("nonsense",)), "faults: fault entry"),
    ],
)
def test_bad_option_values_are_refused_naming_the_option(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build()
