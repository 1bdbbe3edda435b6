"""Card laid → report painted, over HTTPS (the platform CA pinned) against plain HTTP, in the
same run: the same demo kiosk and window against the sandbox process, once served over TLS,
once not. The sandbox answers HTTP/1.0 (a connection per request), so each request of the
session (open the resident session, fetch the report) pays a full TLS handshake: the worst
case for TLS.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SESSIONS = 40
WARM_UP = 3


def _latencies(tls_folder: Path | None, sessions: int) -> list[float]:
    from bench.window_sessions import WindowSessions
    from kiosk.config import SessionSettings
    from kiosk.demo import DemoEnvironment, SandboxTls
    from sandbox.certificates import issue_certificates

    tls = None
    if tls_folder is not None:
        issued = issue_certificates(tls_folder)
        tls = SandboxTls(issued.ca_file, issued.cert_file, issued.key_file)
    with DemoEnvironment(
        session=SessionSettings(showing_idle_timeout_s=60),
        reader_options={"read_delay_s": 0.0},
        sandbox_tls=tls,
    ) as demo:
        kiosk = WindowSessions(demo)

        def one_session() -> float:
            elapsed = kiosk.card_to_report(demo.default_card)
            kiosk.end_session()
            return elapsed

        try:
            for _ in range(WARM_UP):
                one_session()
            return [one_session() for _ in range(sessions)]
        finally:
            kiosk.stop()


def run(emit: Callable[..., None], percentile: Callable[[list[float], float], float]) -> None:
    figures: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-tls-") as folder:
        for name, tls_folder in (("http", None), ("https", Path(folder))):
            latencies = _latencies(tls_folder, SESSIONS)
            figures[name] = {
                "p50_ms": round(percentile(latencies, 50) * 1000, 1),
                "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            }
            emit(
                f"card_to_report_painted_{name}",
                sessions=SESSIONS,
                **figures[name],
                note="sandbox process on loopback; largest report"
                + ("; CA pinned, TLS handshake per request" if tls_folder else ""),
            )
    emit(
        "card_to_report_painted_tls_cost",
        p50_ratio=round(figures["https"]["p50_ms"] / figures["http"]["p50_ms"], 2),
        p95_ratio=round(figures["https"]["p95_ms"] / figures["http"]["p95_ms"], 2),
        p50_added_ms=round(figures["https"]["p50_ms"] - figures["http"]["p50_ms"], 1),
    )
