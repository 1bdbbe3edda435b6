"""Start-up: process start → attract screen painted, and → ready for a card, beside Chromium.

The kiosk runs as a terminal runs it (``taihaoban-kiosk run --config``, simulated devices, no
platform needed) and in demo mode (``run --demo``, which also starts the sandbox); times are
taken from the moment the bench starts the process to the app's log lines "first frame
painted" and "ready for a card" on its stderr.

Beside it, in the same run, Debian's Chromium shows the same attract screen as a kiosk page
(headless, the flags of the machine notes, a fresh profile directory warmed by one start, as
a kiosk's profile is after its first boot). The page reports, to a server in this bench, its
first frame (the task after the first animation frame, like the kiosk's log line after its
first paint) and when it is ready for a card: its event stream from the local reader service
(how a web kiosk hears of cards) is open. Ratios are kiosk over Chromium: below 1, the kiosk
is faster. Runs alternate between the contenders so machine load falls on both alike.
"""

from __future__ import annotations

import html
import os
import queue
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ui import theme
from ui.strings import attract, common
from ui.strings import publicity as publicity_text

Emit = Callable[..., None]
ROOT = Path(__file__).resolve().parents[1]
KIOSK = ROOT / ".venv/bin/taihaoban-kiosk"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1080",
)
FIRST_FRAME = re.compile(r"first frame painted ([0-9.]+) s after process start")
READY = re.compile(r"ready for a card ([0-9.]+) s after process start")
HALL_NAME = "新泰市政务服务中心"
TIMEOUT_S = 60.0

CARD_PICTURE = f"""<svg viewBox="0 0 420 300" width="420" height="300">
<rect x="40" y="200" width="340" height="80" rx="18" fill="{theme.BLUE_DARK}"/>
<rect x="70" y="214" width="280" height="50" rx="10" fill="#2F6FC4"/>
<rect x="90" y="20" width="240" height="150" rx="14" fill="{theme.WHITE}"
 stroke="{theme.BLUE}" stroke-width="4"/>
<rect x="110" y="55" width="44" height="34" rx="6" fill="#D9A521"/>
<rect x="170" y="50" width="130" height="12" rx="6" fill="{theme.LINE}"/>
<rect x="170" y="76" width="110" height="12" rx="6" fill="{theme.LINE}"/>
<rect x="170" y="102" width="140" height="12" rx="6" fill="{theme.LINE}"/>
<rect x="110" y="130" width="200" height="14" rx="7" fill="{theme.LINE}"/>
<path d="M210 172 V196 M198 184 L210 198 L222 184" stroke="{theme.RED}" stroke-width="8"
 stroke-linecap="round" fill="none"/>
<text x="210" y="247" font-size="22" fill="{theme.WHITE}" text-anchor="middle">读卡区</text>
</svg>"""


def attract_page(hall_name: str) -> str:
    """The kiosk's attract screen as a web kiosk would serve it (bench only)."""
    e = html.escape
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{e(common.APP_TITLE)}</title><style>
* {{ box-sizing: border-box; margin: 0; }}
body {{ font-family: "WenQuanYi Zen Hei", sans-serif; color: {theme.INK};
  background: {theme.PAGE}; width: 100vw; height: 100vh; display: flex;
  flex-direction: column; font-size: {theme.BODY_PX}px; }}
header {{ background: {theme.BLUE}; color: {theme.WHITE}; flex: 0 0 96px; display: flex;
  align-items: center; justify-content: space-between; padding: 0 36px; font-size: 34px;
  font-weight: bold; }}
main {{ flex: 1; min-height: 0; display: flex; flex-direction: column; gap: 10px;
  padding: 16px 60px; text-align: center; }}
#clock {{ font-size: {theme.HUGE_PX}px; font-weight: bold; color: {theme.BLUE_DARK}; }}
#date {{ font-size: 36px; }}
.hall {{ font-size: 40px; color: {theme.BLUE}; font-weight: bold; }}
h1 {{ font-size: {theme.TITLE_PX}px; color: {theme.BLUE_DARK}; }}
.card {{ flex: 1; background: {theme.WHITE}; border: 2px solid {theme.LINE};
  border-radius: 16px; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: 16px; padding: 20px 40px; }}
.card svg {{ flex: 1 1 0; min-height: 160px; width: 100%; }}
.prompt {{ font-size: 44px; font-weight: bold; color: {theme.BLUE_DARK}; }}
.steps {{ display: flex; align-items: center; gap: 30px; font-size: 36px; }}
.steps span {{ flex: 1; }}
button {{ font: inherit; font-size: 32px; font-weight: bold; min-height: {theme.TOUCH_PX}px;
  padding: 0 36px; border-radius: 14px; background: {theme.WHITE}; color: {theme.BLUE_DARK};
  border: 3px solid {theme.BLUE}; }}
.muted {{ font-size: {theme.SMALL_PX}px; color: {theme.INK_MUTED}; }}
footer {{ background: {theme.WHITE}; border-top: 2px solid {theme.LINE}; flex: 0 0 100px; }}
</style></head><body>
<header><span>{e(common.BRAND)}</span><span id="headerClock"></span></header>
<main>
<div id="clock"></div><div id="date"></div>
<div class="hall">{e(hall_name)}</div><h1>{e(common.APP_TITLE)}</h1>
<div class="card">{CARD_PICTURE}<div class="prompt">{e(attract.PROMPT)}</div></div>
<div class="steps"><span>{e("  →  ".join(attract.STEPS))}</span>
<button>{e(publicity_text.OPEN)}</button></div>
<div class="muted">{e(attract.NOTE)}</div>
</main><footer></footer>
<script>
const run = new URLSearchParams(location.search).get("run");
const mark = (what) => fetch(`/mark/${{what}}?run=${{run}}`, {{method: "POST"}});
const weekdays = "{common.WEEKDAYS}";
const two = (n) => String(n).padStart(2, "0");
const show = (id, text) => {{ document.getElementById(id).textContent = text; }};
function tick() {{
  const now = new Date(), hm = `${{two(now.getHours())}}:${{two(now.getMinutes())}}`;
  show("clock", hm);
  show("headerClock", `${{hm}}:${{two(now.getSeconds())}}`);
  show("date", `${{now.getFullYear()}}年${{now.getMonth() + 1}}月${{now.getDate()}}日 ` +
    `星期${{weekdays[(now.getDay() + 6) % 7]}}`);
}}
tick();
setInterval(tick, 250);
requestAnimationFrame(() => setTimeout(() => mark("first_frame"), 0));
const cards = new EventSource(`/reader-events?run=${{run}}`);
cards.onopen = () => mark("ready");
</script></body></html>"""


class _Beacons(ThreadingHTTPServer):
    """Serves the page and the reader service's event stream; records each page's marks."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.page = attract_page(HALL_NAME).encode()
        self.marks: queue.Queue[tuple[str, str, float]] = queue.Queue()
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: _Beacons

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        if path == "/":
            self._reply(200, "text/html; charset=utf-8", self.server.page)
        elif path == "/reader-events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b": reader connected\n\n")
            self.wfile.flush()
            self.server.closing.wait(TIMEOUT_S)  # an open stream, until the bench is done
        else:
            self._reply(404, "text/plain", b"")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path.startswith("/mark/"):
            self.server.marks.put((query.removeprefix("run="), path[6:], time.monotonic()))
        self._reply(204, "text/plain", b"")

    def _reply(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _stop(process: subprocess.Popen[Any]) -> None:
    """End the process and everything it started (it leads its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        process.wait(10)


def kiosk_start(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from starting the kiosk to its log lines: first frame painted, ready for a card."""
    lines: queue.Queue[tuple[str, float]] = queue.Queue()
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    assert process.stderr is not None
    stderr = process.stderr

    def read() -> None:
        for line in stderr:
            lines.put((line, time.monotonic()))

    threading.Thread(target=read, daemon=True).start()
    seen: dict[str, float] = {}
    try:
        while len(seen) < 2:
            line, at = lines.get(timeout=max(0.0, started + TIMEOUT_S - time.monotonic()))
            for name, pattern in (("first_frame", FIRST_FRAME), ("ready", READY)):
                if pattern.search(line):
                    seen[name] = at - started
    except queue.Empty:
        raise RuntimeError(f"kiosk {command[1:]} did not log both lines; saw {seen}") from None
    finally:
        _stop(process)
    return seen["first_frame"], seen["ready"]


def chromium_start(
    chromium: str, beacons: _Beacons, profile: Path, run: str
) -> tuple[float, float]:
    """Seconds from starting Chromium to the page's marks: first frame, ready for a card."""
    started = time.monotonic()
    process = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"{beacons.url}?run={run}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    seen: dict[str, float] = {}
    try:
        while len(seen) < 2:
            mark_run, name, at = beacons.marks.get(
                timeout=max(0.0, started + TIMEOUT_S - time.monotonic())
            )
            if mark_run == run:
                seen[name] = at - started
    except queue.Empty:
        raise RuntimeError(f"chromium's page did not report both marks; saw {seen}") from None
    finally:
        _stop(process)
    return seen["first_frame"], seen["ready"]


def _terminal_config(work: Path) -> Path:
    """A terminal's configuration: simulated devices, a platform that is not there."""
    secret = work / "terminal.secret"
    secret.write_text(secrets.token_hex(32), encoding="ascii")
    secret.chmod(0o600)
    config = work / "kiosk.toml"
    config.write_text(
        f"""demo = false
[terminal]
id = "XT-BENCH"
secret_file = "{secret}"
hall_name = "{HALL_NAME}"
state_dir = "{work / "state"}"
[platform]
base_url = "http://127.0.0.1:9"
[card_reader]
driver = "simulated"
[receipt_printer]
driver = "simulated"
[receipt_printer.options]
output_dir = "{work / "printed"}"
[document_printer]
driver = "simulated"
[document_printer.options]
output_dir = "{work / "printed"}"
""",
        encoding="utf-8",
    )
    return config


def _p50(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def run(emit: Emit, runs: int = 5) -> None:
    chromium = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, _Beacons() as beacons:
        work = Path(tmp)
        threading.Thread(target=beacons.serve_forever, daemon=True).start()
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": tmp}
        config = _terminal_config(work)
        contenders: dict[str, Callable[[str], tuple[float, float]]] = {
            "terminal": lambda _: kiosk_start(
                [str(KIOSK), "run", "--windowed", "--config", str(config)], env
            ),
            "demo": lambda _: kiosk_start([str(KIOSK), "run", "--demo", "--windowed"], env),
        }
        if chromium is not None:
            profile = work / "chromium-profile"
            contenders["chromium"] = lambda run: chromium_start(chromium, beacons, profile, run)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
        try:
            for start in contenders.values():
                start("warm-up")  # disk cache; Chromium's profile directory
            for n in range(runs):
                for name, start in contenders.items():
                    times[name].append(start(f"{n}"))
        finally:
            beacons.closing.set()
            beacons.shutdown()
        version = "not installed (make bench installs it)"
        if chromium is not None:
            version = subprocess.run(
                [chromium, "--version"], capture_output=True, text=True, timeout=30
            ).stdout.strip()
        theirs = times.get("chromium", [])
        for mode in ("terminal", "demo"):
            first = [f for f, _ in times[mode]]
            ready = [r for _, r in times[mode]]
            figures: dict[str, Any] = {
                "mode": mode,
                "runs": runs,
                "kiosk_first_frame_p50_s": _p50(first),
                "kiosk_first_frame_max_s": round(max(first), 3),
                "kiosk_ready_p50_s": _p50(ready),
                "kiosk_ready_max_s": round(max(ready), 3),
                "chromium": version,
            }
            if theirs:
                their_first = _p50([f for f, _ in theirs])
                their_ready = _p50([r for _, r in theirs])
                figures.update(
                    chromium_first_frame_p50_s=their_first,
                    chromium_ready_p50_s=their_ready,
                    first_frame_kiosk_over_chromium=round(_p50(first) / their_first, 2),
                    ready_kiosk_over_chromium=round(_p50(ready) / their_ready, 2),
                )
            emit("startup_vs_chromium", **figures)
