"""Card laid → report painted, over HTTPS (the platform CA pinned) against plain HTTP, in the
same run: the same demo kiosk and window against the sandbox process, once served over TLS,
once not. The sandbox answers HTTP/1.0 (a connection per request), so each request of the
session (open the resident session, fetch the report) pays a full TLS handshake: the worst
case for TLS.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SESSIONS = 40
WARM_UP = 3


def _latencies(tls_folder: Path | None, sessions: int) -> list[float]:
    from PySide6.QtCore import QEventLoop, QTimer

    from kiosk.config import SessionSettings
    from kiosk.demo import DemoEnvironment, SandboxTls
    from kiosk.session import SessionView, State
    from sandbox.certificates import issue_certificates
    from ui.app import application, build_window

    app = application()
    tls = None
    if tls_folder is not None:
        issued = issue_certificates(tls_folder)
        tls = SandboxTls(issued.ca_file, issued.cert_file, issued.key_file)
    with DemoEnvironment(
        session=SessionSettings(showing_idle_timeout_s=60),
        reader_options={"read_delay_s": 0.0},
        sandbox_tls=tls,
    ) as demo:
        assert demo.settings is not None
        window, runtime = build_window(demo.settings, demo)
        window.resize(1920, 1080)
        window.show()
        runtime.start()
        reader = runtime.terminal.devices.reader
        states: list[State] = []
        window.bridge.changed.connect(lambda v: states.append(v.state))

        def agree(view: SessionView) -> None:  # 同意 as soon as 查询授权 shows
            if view.state is State.CONSENT:
                window.consent.agree.click()

        window.bridge.changed.connect(agree)

        def wait_for(state: State, timeout_s: float = 20.0) -> None:
            loop = QEventLoop()
            timer = QTimer()

            def check() -> None:
                if states and states[-1] is state:
                    loop.quit()

            timer.timeout.connect(check)
            timer.start(1)
            QTimer.singleShot(int(timeout_s * 1000), loop.quit)
            loop.exec()
            timer.stop()
            if not states or states[-1] is not state:
                raise RuntimeError(f"expected {state}, saw {states[-3:]}")

        def one_session() -> float:
            states.clear()
            started = time.perf_counter()
            reader.lay_card(demo.default_card)  # type: ignore[attr-defined]
            wait_for(State.SHOWING)
            window.repaint()
            elapsed = time.perf_counter() - started
            runtime.terminal.end_session()
            wait_for(State.IDLE)
            reader.remove_card()  # type: ignore[attr-defined]
            app.processEvents()
            return elapsed

        try:
            for _ in range(WARM_UP):
                one_session()
            return [one_session() for _ in range(sessions)]
        finally:
            runtime.stop()
            window.close()


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
