"""Run every benchmark and print one JSON line per figure.

Times vary with the machine; compare figures from the same run, never against a constant.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]


def emit(name: str, **figures: Any) -> None:
    print(json.dumps({"bench": name, **figures}, ensure_ascii=False), flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_startup() -> None:
    """Process start → attract screen painted and → ready for a card, beside Chromium."""
    from bench import startup

    startup.run(emit)


def bench_sessions() -> None:
    """Card laid → report summary painted (p50/p95 over 50), then the process's RSS after
    ``BENCH_SESSIONS`` (default 1,000; at least 100) sessions that print a receipt, and its
    growth from session 100."""
    import psutil

    from bench.window_sessions import WindowSessions
    from kiosk.config import SessionSettings
    from kiosk.demo import DemoEnvironment
    from kiosk.session import PrintKind, State

    process = psutil.Process()
    with DemoEnvironment(
        session=SessionSettings(showing_idle_timeout_s=60),
        reader_options={"read_delay_s": 0.0},
        printer_options={"job_delay_s": 0.0},
    ) as demo:
        kiosk = WindowSessions(demo)

        def one_session(print_receipt: bool) -> float:
            elapsed = kiosk.card_to_report(demo.default_card)
            if print_receipt:
                kiosk.runtime.terminal.print_report(frozenset({PrintKind.RECEIPT}))
                kiosk.wait_for(State.DONE)
            kiosk.end_session()
            return elapsed

        latencies = [one_session(print_receipt=False) for _ in range(50)]
        emit(
            "card_to_report_painted",
            sessions=len(latencies),
            p50_ms=round(percentile(latencies, 50) * 1000, 1),
            p95_ms=round(percentile(latencies, 95) * 1000, 1),
            note="simulated reader, no read delay; sandbox process on loopback; largest report",
        )
        sessions = max(100, int(os.environ.get("BENCH_SESSIONS", "1000")))
        rss = {}
        for n in range(1, sessions + 1):
            one_session(print_receipt=True)
            if n in (100, sessions):
                rss[n] = process.memory_info().rss
        emit(
            "rss_over_headless_sessions",
            sessions=sessions,
            rss_after_100_mib=round(rss[100] / 2**20, 1),
            rss_after_all_mib=round(rss[sessions] / 2**20, 1),
            growth_from_100_mib=round((rss[sessions] - rss[100]) / 2**20, 1),
            note="the kiosk process alone (core and window); the sandbox is its own process",
        )
        kiosk.stop()


def bench_pdf(runs: int = 5) -> None:
    import datetime as dt

    from kiosk.documents.report_pdf import build_report_pdf
    from sandbox import population

    resident = population.richest_resident()
    report = population.build_report(
        resident, "XT20261124009999", "BENCH123", dt.datetime.now().astimezone()
    )
    rows = sum(len(s.rows) for s in report.sections)
    times = []
    pdf = b""
    for _ in range(runs):
        started = time.perf_counter()
        pdf = build_report_pdf(
            report,
            terminal_id="XT-BENCH",
            printed_at=dt.datetime.now().astimezone(),
            verify_url="http://127.0.0.1/api/v1/verify/x?code=y",
        )
        times.append(time.perf_counter() - started)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    emit(
        "a4_pdf_build_largest_report",
        rows=rows,
        pages=pages,
        bytes=len(pdf),
        p50_s=round(statistics.median(times), 3),
        runs=runs,
    )


def bench_printing() -> None:
    """Receipt encoding (text vs raster) and the A4 PDF against Chromium's print-to-pdf."""
    from bench import printing

    printing.run(emit)


def bench_outbox() -> None:
    """Durable enqueues/s and drains/s: the outbox beside persist-queue's ack queue."""
    from bench import outbox

    outbox.run(emit)


def bench_idcard() -> None:
    """Card laid → IdentityCard through pcscd + vpcd, beside the raw emulator round trip."""
    from bench.idcard import bench_idcard as run

    run(emit, percentile)


def bench_update() -> None:
    """A terminal's update check with nothing new, a full first install, a code-only update."""
    from bench import update

    update.run(emit)


def bench_release() -> None:
    """Bundle size, and the bytes a code-only release adds against a full first one."""
    from bench import release

    release.run(emit)


def bench_transport() -> None:
    """Card laid → report painted over HTTPS (pinned CA) against plain HTTP, same run."""
    from bench import transport

    transport.run(emit, percentile)


def bench_face() -> None:
    """Face guidance frames/s at 640×480, and face centred → verdict on loopback."""
    from bench import face

    face.run(emit)


def main() -> int:
    only = set(sys.argv[1:])
    for name, bench in (
        ("startup", bench_startup),
        ("pdf", bench_pdf),
        ("sessions", bench_sessions),
        ("transport", bench_transport),
        ("idcard", bench_idcard),
        ("printing", bench_printing),
        ("outbox", bench_outbox),
        ("release", bench_release),
        ("update", bench_update),
        ("face", bench_face),
    ):
        if not only or name in only:
            bench()
    return 0


if __name__ == "__main__":
    sys.exit(main())
