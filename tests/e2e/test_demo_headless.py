"""The app as a process: ``taihaoban-kiosk demo-headless`` follows one resident to print."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.contract import SECTIONS
from sandbox import population
from tests.escpos_decoder import decode

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo-headless")
    result = subprocess.run(
        [sys.executable, "-m", "ui.cli", "demo-headless", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stdout + result.stderr


def report_number(out: Path) -> str:
    match = re.search(r"showing report (XT[0-9]+)", (out / "kiosk.log").read_text("utf-8"))
    assert match, "the log names the report shown"
    return match.group(1)


def test_session_walks_every_state(demo_run: tuple[Path, str]) -> None:
    _, output = demo_run
    walked = ("idle", "reading", "consent", "authenticating", "fetching", "showing", "printing")
    assert " → ".join((*walked, "done", "idle")) in output


def test_screens_the_resident_saw_are_saved_and_named(demo_run: tuple[Path, str]) -> None:
    out, output = demo_run
    shots = sorted(p.name for p in (out / "screens").glob("*.png"))
    assert shots[0] == "01-idle.png" and shots[-1].endswith("-idle.png")
    seen = {name.split("-", 1)[1].removesuffix(".png") for name in shots}
    assert {"consent", "agreed", "showing", "report-next-page", "print-choice"} <= seen
    assert {"printing", "done"} <= seen
    assert str(out / "screens") in output and str(out / "printed") in output


def test_sandbox_ran_as_its_own_process_and_is_gone(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    match = re.search(
        r"demo: sandbox pid ([0-9]+) at (http://127\.0\.0\.1:[0-9]+)",
        (out / "kiosk.log").read_text("utf-8"),
    )
    assert match, "the kiosk log names the sandbox process"
    assert not Path(f"/proc/{match.group(1)}").exists(), "the sandbox outlived the kiosk"
    sandbox_log = (out / "sandbox.log").read_text("utf-8")
    assert f"listening on {match.group(2)}" in sandbox_log
    assert "stopping: stop signal" in sandbox_log


def test_printed_pdf_holds_the_report(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    (pdf,) = (out / "printed").glob("report-*.pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert report_number(out) in text
    for spec in SECTIONS:
        assert spec.title in text
    assert "失信被执行人" in text


def test_receipt_bytes_decode_to_the_summary_and_verify_qr(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    (receipt,) = (out / "printed").glob("receipt-*.bin")
    decoded = decode(receipt.read_bytes())
    number = report_number(out)
    assert number in decoded.text
    assert "黑名单：在列" in decoded.text
    (qr,) = decoded.qr_codes
    assert f"/api/v1/verify/{number}?code=".encode() in qr.data
    assert decoded.cuts
    assert (out / "printed" / receipt.name.replace(".bin", ".png")).exists()


def test_no_personal_data_in_logs_or_database(demo_run: tuple[Path, str]) -> None:
    out, output = demo_run
    card = population.richest_resident().card()
    secrets_ = [card.name, card.id_number, card.address]
    kept = [p for p in out.rglob("*") if p.is_file() and "printed" not in p.parts]
    assert any(p.name.startswith("outbox.sqlite3") for p in kept)
    for path in kept:
        data = path.read_bytes()
        for secret in secrets_:
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.encode(encoding) not in data, f"{path.name} holds personal data"
    for secret in secrets_:
        assert secret not in output
