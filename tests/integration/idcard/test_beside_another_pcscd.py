"""The card-reading tests beside another pcscd, as on any desktop with pcscd.socket: they pass
(under CI=true, where a missing service is an error), and the other pcscd keeps running and
answering its own clients."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.integration.idcard.pcscd import SOCKET_VARIABLE, Pcscd

pytestmark = pytest.mark.service
ROOT = Path(__file__).parents[3]
MACHINE_PCSCD_DIR = Path("/run/pcscd")
DECOY_LOCK = Path("/run/lock/taihaoban-kiosk-decoy-pcscd.lock")
CARD_READING = [
    "test_pcsc_reader.py::test_reads_every_card_type",
    "test_pcsc_reader.py::test_two_readers_both_watched_the_last_laid_card_is_read",
    "test_diag_cli.py::test_a_good_read_prints_exactly_one_masked_json_line",
    "test_pcsc_supervision.py::test_pcscd_gone_and_back_reads_again_within_5_s",
    "test_kiosk_with_pcscd.py::test_a_card_on_the_reader_shows_the_report_and_leaving_wipes_it",
]


def machine_clients_env() -> dict[str, str]:
    """The environment of a client of the machine's pcscd (this process points at ours)."""
    return {name: value for name, value in os.environ.items() if name != SOCKET_VARIABLE}


def machine_readers() -> list[str] | None:
    """The readers the machine's pcscd lists to a new client, or None when none answers."""
    code = (
        "import json; from smartcard import scard\n"
        "rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)\n"
        "if rc == scard.SCARD_S_SUCCESS:\n"
        "    print(json.dumps(scard.SCardListReaders(context, [])[1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=machine_clients_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout) if done.stdout else None


@pytest.fixture
def decoy(tmp_path: Path) -> Iterator[subprocess.Popen[bytes] | None]:
    """A pcscd on the machine's standard socket: a plain ``pcscd -f -a`` (Debian's vpcd
    config) started here and stopped by PID afterwards, or, when one already answers there,
    the machine's own, left alone. One such test on the machine at a time: two suites at
    once would otherwise each take the other's decoy for the machine's."""
    with DECOY_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if machine_readers() is not None:
            yield None
            return
        yield from started_decoy(tmp_path / "decoy.log")


def started_decoy(log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    require_tool("pcscd", "setpriv")
    had_its_dir = MACHINE_PCSCD_DIR.exists()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            # --pdeathsig: the decoy dies with this test's process, even on a crash.
            ["setpriv", "--pdeathsig", "TERM", "pcscd", "-f", "-a"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 10
        while process.poll() is None and machine_readers() is None:
            assert time.monotonic() < deadline, "the decoy did not answer within 10 s"
            time.sleep(0.1)
        assert process.poll() is None, f"the decoy exited; see {log_path}"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if not had_its_dir:
            with contextlib.suppress(OSError):  # pcscd leaves its directory behind
                MACHINE_PCSCD_DIR.rmdir()
    assert machine_readers() is None, "something still answers on the machine's socket"


def test_the_card_reading_tests_pass_beside_another_pcscd(
    pcscd: Pcscd, decoy: subprocess.Popen[bytes] | None, tmp_path: Path
) -> None:
    # ``pcscd``: this process's private one, up too (the inner suite's is a second one); it
    # also says why where none can start.
    before = machine_readers()
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
        + ["--basetemp", str(tmp_path / "suite")]
        + [f"tests/integration/idcard/{test}" for test in CARD_READING],
        cwd=ROOT,
        env={**machine_clients_env(), "CI": "true"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert suite.returncode == 0, suite.stdout[-4000:]
    summary = suite.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"=* ?\d+ passed in .*", summary), summary  # nothing skipped
    if decoy is not None:
        assert decoy.poll() is None, "the decoy pcscd stopped"
    assert machine_readers() == before
