"""Demo mode: the sandbox platform as its own process on loopback, simulated devices, a
temporary directory.

The sandbox (``python -m sandbox``) lives in the source checkout and is not shipped to
terminals: the product starts it by module name and never imports it, exactly as the real
platform is another machine. Nothing here runs on a terminal in a service hall:
``Settings.demo`` is false there and no demo card can be laid.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from devices.idcard.simulated import SimulatedCard
from kiosk.config import (
    PlatformSettings,
    SessionSettings,
    Settings,
    TechnicianSettings,
    TerminalSettings,
    device_settings,
)
from kiosk.technician import hash_pin

log = logging.getLogger(__name__)

DEMO_TERMINAL_ID = "XT-DEMO-001"
DEMO_TECHNICIAN_PIN = "123456"
"""The demo's technician PIN (five taps in the top-left corner open the PIN pad)."""
CHECKOUT = Path(__file__).resolve().parents[1]
"""The source checkout this module runs from; an installed wheel has no ``sandbox/`` beside it."""
SANDBOX_MISSING = "demo mode needs the source checkout: sandbox/ is not shipped to terminals"
DEMO_CARDS_FILE = "cards.json"


class SandboxError(RuntimeError):
    """The sandbox process could not be started (or is not there at all)."""


def sandbox_command(*serve_args: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run ``python -m sandbox serve`` from the checkout."""
    if not (CHECKOUT / "sandbox" / "__main__.py").is_file():
        raise SandboxError(SANDBOX_MISSING)
    path = os.pathsep.join(p for p in (str(CHECKOUT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    return [sys.executable, "-m", "sandbox", "serve", *serve_args], env


@dataclass(frozen=True)
class SandboxTls:
    """What the sandbox serves HTTPS with, and the CA the kiosk pins to trust it."""

    ca_file: Path
    cert_file: Path
    key_file: Path


class SandboxProcess:
    """A running sandbox process: its URL, its loopback admin interface, and stopping it."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        url: str,
        log_file: Path,
        ca_file: Path | None = None,
    ) -> None:
        """``ca_file``: the CA its HTTPS certificate is trusted by (None: plain HTTP)."""
        self.process = process
        self.url = url
        self.log_file = log_file
        self.ca_file = ca_file

    @property
    def pid(self) -> int:
        return self.process.pid

    def state(self) -> dict[str, Any]:
        """What the platform holds (sessions, events by kind, pending faults)."""
        result: dict[str, Any] = self._admin("GET", "/__sandbox/state")
        return result

    def inject_fault(self, kind: str, count: int = 1, **params: object) -> None:
        self._admin("POST", "/__sandbox/faults", {"kind": kind, "count": count, **params})

    def clear_faults(self) -> None:
        self._admin("DELETE", "/__sandbox/faults")

    def rotate_secret(self, terminal_id: str, secret: bytes, grace_s: float) -> None:
        """What the platform operators do (docs/secret-rotation.md): ``secret`` from now on,
        the old one still accepted for ``grace_s`` seconds."""
        rotation = {"terminal_id": terminal_id, "secret": secret.hex(), "grace_s": grace_s}
        self._admin("POST", "/__sandbox/terminal-secrets", rotation)

    def _admin(self, method: str, path: str, payload: object = None) -> Any:
        body = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Content-Type", "application/json")
        context = None if self.ca_file is None else ssl.create_default_context(cafile=self.ca_file)
        with urllib.request.urlopen(request, timeout=5, context=context) as response:
            return json.load(response)

    def register_face(self, id_number: str, image: bytes) -> None:
        """Give resident ``id_number`` a registered test image for the face check's
        stand-in comparison (``sandbox.faces``)."""
        payload = {"id_number": id_number, "image": base64.b64encode(image).decode("ascii")}
        self._admin("POST", "/__sandbox/faces", payload)

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout_s``."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            log.warning("sandbox pid %d ignored SIGTERM: killing it", self.pid)
            self.process.kill()
            self.process.wait(timeout_s)


def start_sandbox_process(
    run_dir: Path,
    terminal_id: str,
    secret_file: Path,
    log_file: Path,
    demo_cards_dir: Path | None = None,
    port: int = 0,
    timeout_s: float = 30.0,
    journal: Path | None = None,
    serve_options: Sequence[str] = (),
    tls: SandboxTls | None = None,
) -> SandboxProcess:
    """Start ``python -m sandbox serve`` on loopback and wait until it answers.

    Its ready file goes in ``run_dir``; it exits by itself if this process dies first.
    ``journal``: what it received is kept there across restarts (``sandbox.store``);
    ``serve_options``: more of ``serve``'s options (a simulated fleet, an operator token);
    ``tls``: serve HTTPS only, with this certificate.
    """
    ready_file = run_dir / "sandbox.url"
    ready_file.unlink(missing_ok=True)
    serve_args = [
        "--host=127.0.0.1",
        f"--port={port}",
        f"--terminal-id={terminal_id}",
        f"--secret-file={secret_file}",
        f"--ready-file={ready_file}",
        f"--log-file={log_file}",
        f"--parent-pid={os.getpid()}",
    ]
    if demo_cards_dir is not None:
        serve_args.append(f"--demo-cards={demo_cards_dir}")
    if journal is not None:
        serve_args.append(f"--journal={journal}")
    if tls is not None:
        serve_args += [f"--tls-cert={tls.cert_file}", f"--tls-key={tls.key_file}"]
    serve_args.extend(serve_options)
    command, env = sandbox_command(*serve_args)
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while not ready_file.exists():
        if process.poll() is not None:
            raise SandboxError(
                f"the sandbox exited with code {process.returncode} before it was ready; "
                f"see {log_file}"
            )
        if time.monotonic() > deadline:
            SandboxProcess(process, "", log_file).stop()
            raise SandboxError(f"the sandbox was not ready within {timeout_s:g} s; see {log_file}")
        time.sleep(0.02)
    url = ready_file.read_text(encoding="utf-8")
    sandbox = SandboxProcess(process, url, log_file, None if tls is None else tls.ca_file)
    log.info("sandbox platform pid %d at %s, log %s", sandbox.pid, sandbox.url, log_file)
    return sandbox


@dataclass(frozen=True)
class DemoCard:
    key: str
    caption: str
    """What the demo control says (masked name and what the card shows off)."""
    card: SimulatedCard


def read_demo_cards(folder: Path) -> tuple[list[DemoCard], str]:
    """The demo cards the sandbox wrote into ``folder``, and the scripted session's card key."""
    manifest = json.loads((folder / DEMO_CARDS_FILE).read_text(encoding="utf-8"))
    cards = [
        DemoCard(c["key"], c["caption"], SimulatedCard(c["key"], base64.b64decode(c["text_block"])))
        for c in manifest["cards"]
    ]
    return cards, str(manifest["default_card"])


class DemoEnvironment:
    """Context manager: starts the sandbox process and writes a demo configuration under
    ``root`` (``kiosk.log`` and ``sandbox.log`` side by side)."""

    def __init__(
        self,
        root: Path | None = None,
        session: SessionSettings | None = None,
        reader_options: dict[str, object] | None = None,
        printer_options: dict[str, object] | None = None,
        sandbox_journal: Path | None = None,
        sandbox_tls: SandboxTls | None = None,
    ) -> None:
        """``sandbox_journal``: the sandbox keeps what it received there across restarts;
        ``sandbox_tls``: it serves HTTPS with this certificate, its CA pinned in the settings."""
        self._own_root = root is None
        self.sandbox_journal = sandbox_journal
        self.sandbox_tls = sandbox_tls
        self.root = root or Path(tempfile.mkdtemp(prefix="taihaoban-demo-"))
        self.printed_dir = self.root / "printed"
        self.log_file = self.root / "kiosk.log"
        self.sandbox_log_file = self.root / "sandbox.log"
        self._session = session or SessionSettings()
        self._reader_options = dict(reader_options or {})
        self._printer_options = dict(printer_options or {})
        self.cards: list[DemoCard] = []
        self.default_card = ""
        """The key of the card with the most records (what the scripted resident lays)."""
        self.sandbox: SandboxProcess | None = None
        self.settings: Settings | None = None

    def __enter__(self) -> DemoEnvironment:
        self.root.mkdir(parents=True, exist_ok=True)
        secret_file = self.root / "terminal.secret"
        secret_file.write_text(secrets.token_bytes(32).hex(), encoding="ascii")
        secret_file.chmod(0o600)
        # The cards hold (invented) names and ID numbers: read, then gone from the folder.
        cards_dir = self.root / "demo-cards"
        self.sandbox = self.start_sandbox(demo_cards_dir=cards_dir)
        try:
            self.cards, self.default_card = read_demo_cards(cards_dir)
        except BaseException:
            self.sandbox.stop()
            raise
        finally:
            shutil.rmtree(cards_dir, ignore_errors=True)
        printer = {"output_dir": str(self.printed_dir), **self._printer_options}
        self.settings = Settings(
            terminal=TerminalSettings(
                id=DEMO_TERMINAL_ID,
                secret_file=secret_file,
                hall_name="新泰市政务服务中心 · 演示",
                state_dir=self.root / "state",
            ),
            platform=PlatformSettings(
                base_url=self.sandbox.url,
                read_timeout_s=5.0,
                ca_file=None if self.sandbox_tls is None else self.sandbox_tls.ca_file,
            ),
            card_reader=device_settings("card_reader", "simulated", self._reader_options),
            receipt_printer=device_settings("receipt_printer", "simulated", dict(printer)),
            document_printer=device_settings("document_printer", "simulated", dict(printer)),
            session=self._session,
            # cheap scrypt parameters: this PIN is published, and demos start often
            technician=TechnicianSettings(pin_hash=hash_pin(DEMO_TECHNICIAN_PIN, n=2**10)),
            demo=True,
        )
        return self

    def start_sandbox(self, port: int = 0, demo_cards_dir: Path | None = None) -> SandboxProcess:
        """Start this demo's sandbox process (again, e.g. on the same port after an outage)."""
        return start_sandbox_process(
            self.root,
            DEMO_TERMINAL_ID,
            self.root / "terminal.secret",
            self.sandbox_log_file,
            demo_cards_dir=demo_cards_dir,
            port=port,
            journal=self.sandbox_journal,
            tls=self.sandbox_tls,
        )

    def set_outage(self, down: bool) -> None:
        """Make the sandbox platform unreachable-looking (503 to everything), or well again."""
        assert self.sandbox is not None
        self.sandbox.clear_faults()
        if down:
            self.sandbox.inject_fault("http_503", count=1_000_000)

    def with_session(self, session: SessionSettings) -> Settings:
        assert self.settings is not None
        return replace(self.settings, session=session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)
