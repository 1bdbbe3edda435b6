"""Demo mode: the sandbox platform on loopback, simulated devices, a temporary directory.

Nothing here runs on a terminal in a service hall: ``Settings.demo`` is false there and
no demo card can be laid.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from devices.idcard.simulated import SimulatedCard
from devices.idcard.text_block import encode_text_block
from kiosk.config import (
    PlatformSettings,
    SessionSettings,
    Settings,
    TerminalSettings,
    device_settings,
)
from sandbox import population
from sandbox.server import Sandbox, start_sandbox

DEMO_TERMINAL_ID = "XT-DEMO-001"


@dataclass(frozen=True)
class DemoCard:
    key: str
    caption: str
    """What the demo control says (masked name and what the card shows off)."""
    card: SimulatedCard


def demo_cards() -> list[DemoCard]:
    """A few residents that show every kind of outcome, plus two cards that must fail."""
    cards = []
    for resident, what in population.demo_residents():
        block = encode_text_block(resident.card())
        caption = f"{resident.card().name[0]}某 · {what}"
        cards.append(DemoCard(resident.key, caption, SimulatedCard(resident.key, block)))
    cards.append(
        DemoCard(
            "bad-check", "校验位错误", SimulatedCard("bad-check", population.bad_checksum_block())
        )
    )
    cards.append(
        DemoCard("garbled", "损坏的卡", SimulatedCard("garbled", population.garbled_block()))
    )
    return cards


class DemoEnvironment:
    """Context manager: starts the sandbox and writes a demo configuration under ``root``."""

    def __init__(
        self,
        root: Path | None = None,
        session: SessionSettings | None = None,
        reader_options: dict[str, object] | None = None,
        printer_options: dict[str, object] | None = None,
    ) -> None:
        self._own_root = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="taihaoban-demo-"))
        self.printed_dir = self.root / "printed"
        self.log_file = self.root / "kiosk.log"
        self._session = session or SessionSettings()
        self._reader_options = dict(reader_options or {})
        self._printer_options = dict(printer_options or {})
        self.cards = demo_cards()
        self.sandbox: Sandbox | None = None
        self.settings: Settings | None = None

    def __enter__(self) -> DemoEnvironment:
        self.root.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_bytes(32)
        secret_file = self.root / "terminal.secret"
        secret_file.write_text(secret.hex(), encoding="ascii")
        secret_file.chmod(0o600)
        self.sandbox = start_sandbox({DEMO_TERMINAL_ID: secret})
        printer = {"output_dir": str(self.printed_dir), **self._printer_options}
        self.settings = Settings(
            terminal=TerminalSettings(
                id=DEMO_TERMINAL_ID,
                secret_file=secret_file,
                hall_name="新泰市政务服务中心 · 演示",
                state_dir=self.root / "state",
            ),
            platform=PlatformSettings(base_url=self.sandbox.url, read_timeout_s=5.0),
            card_reader=device_settings("card_reader", "simulated", self._reader_options),
            receipt_printer=device_settings("receipt_printer", "simulated", dict(printer)),
            document_printer=device_settings("document_printer", "simulated", dict(printer)),
            session=self._session,
            demo=True,
        )
        return self

    def set_outage(self, down: bool) -> None:
        """Make the sandbox platform unreachable-looking (503 to everything), or well again."""
        assert self.sandbox is not None
        self.sandbox.faults.clear()
        if down:
            self.sandbox.faults.inject("http_503", count=1_000_000)

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
