"""A print stopped for paper out: the session keeps the report and waits for staff, the same
print resumes once the printer checks ok (no new query), and an unattended pause ends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from devices.printers.simulated import SimulatedDocumentPrinter, SimulatedReceiptPrinter
from kiosk.demo import DemoEnvironment
from kiosk.session import PrintKind, State
from sandbox import population
from tests.integration.test_terminal_flow import Kiosk
from tests.kiosk_harness import FAST


@pytest.fixture
def out_of_paper(tmp_path: Path) -> Iterator[DemoEnvironment]:
    """Both printers run out of paper on their first job."""
    with DemoEnvironment(
        root=tmp_path,
        reader_options={"read_delay_s": 0.0},
        printer_options={"job_delay_s": 0.0, "faults": ["paper_out_on_job:1"]},
    ) as environment:
        yield environment


def queries(demo: DemoEnvironment) -> int:
    assert demo.sandbox is not None
    return int(demo.sandbox.state()["events_by_kind"].get("query_record", 0))


def test_paper_out_pauses_then_the_same_print_resumes_once_paper_is_loaded(
    out_of_paper: DemoEnvironment,
) -> None:
    kiosk = Kiosk(out_of_paper)
    terminal = kiosk.runtime.terminal
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        shown = kiosk.wait_for(State.SHOWING)
        assert shown.report is not None
        rendered = kiosk.views_until(lambda v: v.a4_pages is not None)[-1]
        assert rendered.a4_pages is not None and rendered.a4_pages >= 1
        terminal.print_report(frozenset(PrintKind))
        paused = kiosk.wait_for(State.PRINT_PAUSED)
        assert paused.print_kinds == frozenset(PrintKind)
        assert paused.report is not None, "the report is kept for the resumed print"
        assert "device_fault" in [i.kind for i in kiosk.runtime.outbox.peek(50)]
        kiosk.reader.remove_card()  # the resident went to find staff: the print still waits
        assert list(out_of_paper.printed_dir.glob("report-*.pdf")) == []

        receipt = terminal.devices.receipt_printer
        assert isinstance(receipt, SimulatedReceiptPrinter)
        receipt.load_paper()  # one printer is not enough: the A4 still has no paper
        document = terminal.devices.document_printer
        assert isinstance(document, SimulatedDocumentPrinter)
        document.load_paper()
        resumed = kiosk.views_until(lambda v: v.state is not State.PRINT_PAUSED)[-1]
        assert resumed.state is State.PRINTING
        kiosk.wait_for(State.DONE)
        (pdf,) = out_of_paper.printed_dir.glob("report-*.pdf")
        assert pdf.read_bytes().count(b"/Type /Page") >= rendered.a4_pages
        assert len(list(out_of_paper.printed_dir.glob("receipt-*.png"))) == 1
        kiosk.wait_until_drained()
        assert queries(out_of_paper) == 1, "resumed from the kept report, not a new query"
    finally:
        kiosk.runtime.stop()


def test_a_pause_nobody_attends_to_ends_the_session(out_of_paper: DemoEnvironment) -> None:
    kiosk = Kiosk(out_of_paper, replace(FAST, print_paused_timeout_s=0.5))
    try:
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        kiosk.wait_for(State.SHOWING)
        kiosk.runtime.terminal.print_report(frozenset({PrintKind.RECEIPT}))
        kiosk.wait_for(State.PRINT_PAUSED)
        ended = kiosk.wait_for(State.IDLE, timeout=5)
        assert ended.report is None
    finally:
        kiosk.runtime.stop()


def test_elder_mode_ends_with_the_session(out_of_paper: DemoEnvironment) -> None:
    kiosk = Kiosk(out_of_paper)
    try:
        kiosk.runtime.terminal.set_elder(True)
        kiosk.views_until(lambda v: v.elder)
        kiosk.reader.lay_card(population.DEMO_KEYS[0])
        assert kiosk.wait_for(State.SHOWING).elder
        kiosk.runtime.terminal.end_session()
        assert not kiosk.wait_for(State.IDLE).elder, "the next resident starts in normal mode"
    finally:
        kiosk.runtime.stop()
