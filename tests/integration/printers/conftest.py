"""Printers against real services: our ESC/POS sink on loopback and a private cupsd.

A missing service skips locally and fails under CI=true (``make test`` installs them).
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.integration.printers.cupsd import CUPS_PDF_BACKEND, CUPS_PDF_PPD, Cupsd
from tests.integration.printers.sinks import ByteSink, EscposSink

ROOT = Path(__file__).parents[3]
_queue_numbers = itertools.count(1)


def require(ok: bool, why: str) -> None:
    """Like ``require_tool`` for anything else a test needs from the machine."""
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture
def artifacts() -> Path:
    """Where tests leave pictures for people to look at (gitignored)."""
    path = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts")) / "printers"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def escpos_sink() -> Iterator[EscposSink]:
    sink = EscposSink()
    yield sink
    sink.stop()


@pytest.fixture
def byte_sink() -> Iterator[ByteSink]:
    sink = ByteSink()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def cupsd() -> Iterator[Cupsd]:
    """One private scheduler for the whole run (started in ~0.05 s, stopped by PID)."""
    require_tool("lpadmin", "lpstat", "lp", "pdftoppm")
    require(Path("/usr/sbin/cupsd").exists(), "missing /usr/sbin/cupsd (Debian package cups)")
    require(
        CUPS_PDF_BACKEND.exists() and CUPS_PDF_PPD.exists(),
        "missing cups-pdf (Debian package printer-driver-cups-pdf)",
    )
    require(os.geteuid() == 0, "a private cupsd running cups-pdf needs root")
    require(importlib.util.find_spec("cups") is not None, "pycups is not installed")
    scheduler = Cupsd()
    try:
        scheduler.start()
        yield scheduler
    finally:
        scheduler.stop()


@pytest.fixture
def queue_name(cupsd: Cupsd) -> Iterator[str]:
    """A fresh queue name for one test; the queue (and its jobs) go afterwards."""
    name = f"kiosk-q{next(_queue_numbers)}"
    yield name
    with contextlib.suppress(RuntimeError):
        cupsd.run("lpadmin", "-x", name)
