"""SIGKILL a process while it enqueues and drains, hundreds of times, then check against the
sandbox platform: every acknowledged item arrived exactly once in effect, none was invented.

Victims are real processes forked by a fork server (``tests.outbox_crash_worker serve``),
each sending to a sandbox on loopback. Two slots run side by side, each with its own outbox
file, which starts as a first-release (schema v1) file holding items, so the first victims
also migrate it. ``SOAK_KILLS`` sets the number of kills (``make soak``); ``CRASH_SEED`` the
random seed (printed on failure).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.platform.client import PlatformClient
from kiosk.platform.outbox_drain import OutboxDrainer
from offline_cache.outbox import Outbox
from sandbox import population
from sandbox.server import Sandbox, start_sandbox
from tests.outbox_crash_worker import key_of, kind_of
from tests.unit.offline_cache.test_outbox_schema import make_v1_file

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("SOAK_KILLS", "200"))
SLOTS = 2
OLD_KEYS = ("query-old", "fault-old", "hb-old")  # what make_v1_file puts in the v1 file


class ForkServer:
    def __init__(self, log: Path) -> None:
        with log.open("ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.outbox_crash_worker", "serve"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )

    def ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the fork server died"
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(10)
        self.process.stdout.close()


@dataclass
class Slot:
    number: int
    root: Path
    url: str
    secret_file: Path
    report_no: str
    acknowledged: set[str] = field(default_factory=set)
    highest_attempted: int = -1
    next_start: int = 0
    kills: int = 0
    early_kills: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def terminal(self) -> str:
        return f"XT-CRASH-{self.number}"

    @property
    def prefix(self) -> str:
        return f"crash{self.number}"

    @property
    def db(self) -> Path:
        return self.root / "outbox.sqlite3"

    def attempted(self) -> set[str]:
        return {key_of(self.prefix, n) for n in range(self.highest_attempted + 1)} | set(OLD_KEYS)

    def kill_repeatedly(self, kills: int, rng: random.Random) -> None:
        server = ForkServer(self.root / "worker.log")
        try:
            for run in range(kills):
                self.kill_once(server, run, rng)
        except Exception as error:
            self.problems.append(f"slot {self.number}: {error!r}")
        finally:
            server.close()

    def kill_once(self, server: ForkServer, run: int, rng: random.Random) -> None:
        stdout = self.root / "keys.txt"
        stdout.unlink(missing_ok=True)  # a victim killed before it opens it prints nothing
        options = {
            "db": str(self.db),
            "url": self.url,
            "terminal": self.terminal,
            "secret_file": str(self.secret_file),
            "report_no": self.report_no,
            "prefix": self.prefix,
            "start": self.next_start,
            "stdout": str(stdout),
            "stderr": str(self.root / "worker.log"),
        }
        pid = int(server.ask({"spawn": options})["pid"])
        # A quarter of the kills land while the outbox is being opened (migration,
        # recovery check), the rest while it enqueues and drains.
        early = rng.random() < 0.25
        time.sleep(rng.uniform(0, 0.008) if early else rng.uniform(0.008, 0.3))
        os.kill(pid, signal.SIGKILL)
        ended = server.ask({"reap": pid})
        if ended["signal"] != signal.SIGKILL:
            log = (self.root / "worker.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"victim {pid} ended by itself ({ended}):\n{log}")
        self.kills += 1
        self.early_kills += early
        text = stdout.read_text(encoding="ascii") if stdout.exists() else ""
        lines = text.split("\n")[:-1]  # complete lines only
        numbers = [int(line.rsplit("-", 1)[1]) for line in lines]
        if numbers != list(range(self.next_start, self.next_start + len(numbers))):
            raise AssertionError(f"unexpected keys from victim {pid}: {lines[:5]}…")
        self.acknowledged.update(lines)
        in_flight = self.next_start + len(numbers)  # perhaps committed, never printed
        self.highest_attempted = max(self.highest_attempted, in_flight)
        self.next_start = in_flight


def issue_report(sandbox: Sandbox, terminal: str, secret: bytes) -> str:
    """A report the platform knows, so print records have something to refer to."""
    with PlatformClient(sandbox.url, terminal, secret) as client:
        token = client.open_resident_session(population.richest_resident().card())
        return client.fetch_report(token).report_no


def drain_completely(slot: Slot, secret: bytes) -> Outbox:
    outbox = Outbox(slot.db, max_items=1_000_000)
    with PlatformClient(slot.url, slot.terminal, secret) as client:
        drainer = OutboxDrainer(outbox, client)
        deadline = time.monotonic() + 60
        while outbox.depth() and time.monotonic() < deadline:
            if drainer.drain_once() == 0:
                time.sleep(0.05)
    return outbox


def test_sigkill_while_enqueuing_and_draining_loses_and_invents_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("CRASH_SEED", str(random.randrange(2**32))))
    started = time.monotonic()
    secret = secrets.token_bytes(32)
    secret_file = tmp_path / "terminal.secret"
    secret_file.write_text(secret.hex(), encoding="ascii")
    secret_file.chmod(0o600)
    terminals = {f"XT-CRASH-{n}": secret for n in range(SLOTS)}
    with start_sandbox(terminals) as sandbox:
        report_no = issue_report(sandbox, "XT-CRASH-0", secret)
        slots = []
        for n in range(SLOTS):
            root = tmp_path / f"slot{n}"
            root.mkdir()
            make_v1_file(root / "outbox.sqlite3")
            slots.append(Slot(n, root, sandbox.url, secret_file, report_no))
        threads = [
            threading.Thread(
                target=slot.kill_repeatedly,
                args=(KILLS // SLOTS + (slot.number < KILLS % SLOTS), random.Random(seed + n)),
            )
            for n, slot in enumerate(slots)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        problems = [p for slot in slots for p in slot.problems]
        assert not problems, f"seed {seed}: {problems}"
        killed_at = time.monotonic()

        for slot in slots:
            outbox = drain_completely(slot, secret)
            try:
                assert outbox.depth() == 0, f"seed {seed}: slot {slot.number} not drained"
                dead = outbox.dead_letters()
                assert dead == [("dead-old", "bogus", "UNKNOWN_KIND")], f"seed {seed}: {dead}"
                assert outbox.recovery is None
            finally:
                outbox.close()
            arrived = sandbox.accepted_keys(slot.terminal)
            acknowledged = slot.acknowledged | set(OLD_KEYS)
            lost = acknowledged - arrived.keys()
            invented = arrived.keys() - slot.attempted()
            assert not lost, f"seed {seed}: slot {slot.number} lost {sorted(lost)[:10]}"
            assert not invented, f"seed {seed}: slot {slot.number} invented {sorted(invented)[:10]}"
            for key, kind in arrived.items():
                if key not in OLD_KEYS:
                    assert kind == kind_of(int(key.rsplit("-", 1)[1])), key
            print(
                f"\noutbox crash slot {slot.number}: {slot.kills} kills "
                f"({slot.early_kills} while opening), {len(acknowledged)} acknowledged, "
                f"{len(arrived)} arrived (exactly once each), "
                f"{len(arrived) - len(acknowledged)} arrived unacknowledged (in flight)"
            )
    assert sum(slot.kills for slot in slots) == KILLS
    print(
        f"outbox crash: {KILLS} kills in {killed_at - started:.1f} s, "
        f"final drain and checks {time.monotonic() - killed_at:.1f} s, seed {seed}"
    )
