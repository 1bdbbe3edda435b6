"""Real services for the identity-card drivers: a private pcscd with vpcd, and our emulator.

The private pcscd (``pcscd.py``) is started once per test session, beside any pcscd the
machine runs, and stopped by PID at the end; a test that stops or restarts it leaves it to
the ``pcscd`` fixture to bring it back for the next test. Cards laid through ``lay`` are
taken off after each test. Where no private pcscd can be started (no root, missing
pcscd/vpcd/pyscard/unshare) the test skips locally and fails under CI=true, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from devices.idcard.pcsc import PcscReader
from devices.idcard.reader import CardEvent, IdCardReader
from tests.conftest import require_tool
from tests.integration.idcard.pcscd import READERS, Pcscd, PcscdUnavailable
from tests.vpcd_emulator import EmulatedCard, VpcdCard

HERE = Path(__file__).parent


def unavailable(why: str) -> NoReturn:
    """Skip locally; under CI=true a missing service is an error."""
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def pcscd_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    try:
        daemon = Pcscd(tmp_path_factory.mktemp("pcscd"))
        daemon.start()
    except PcscdUnavailable as error:
        unavailable(str(error))
    yield daemon
    daemon.stop()


@pytest.fixture
def pcscd(pcscd_daemon: Pcscd) -> Pcscd:
    try:
        pcscd_daemon.start()  # an earlier test may have stopped or restarted it
    except PcscdUnavailable as error:
        unavailable(str(error))
    return pcscd_daemon


@pytest.fixture
def lay(pcscd: Pcscd) -> Iterator[Callable[..., VpcdCard]]:
    """``lay(card, reader=0)`` lays an emulated card on vpcd reader 0 or 1."""
    laid: list[VpcdCard] = []

    def lay_card(card: EmulatedCard, reader: int = 0) -> VpcdCard:
        connection = VpcdCard(card, port=pcscd.port + reader)
        connection.insert()
        laid.append(connection)
        return connection

    yield lay_card
    for connection in laid:
        connection.remove()
    # The next test's card must not arrive before pcscd noticed this one leave (it polls
    # vpcd every 0.4 s): a swap faster than that is a card pcscd never powered on.
    wait_until_empty(pcscd)


def wait_until_empty(pcscd: Pcscd, timeout: float = 3.0) -> None:
    from smartcard import scard

    if not pcscd.running:
        return
    deadline = time.monotonic() + timeout
    rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        while time.monotonic() < deadline:
            states = [(name, scard.SCARD_STATE_UNAWARE) for name in READERS]
            rc, current = scard.SCardGetStatusChange(context, 0, states)
            if rc != scard.SCARD_S_SUCCESS or not any(
                event & scard.SCARD_STATE_PRESENT for _, event, _ in current
            ):
                return
            time.sleep(0.05)
    finally:
        scard.SCardReleaseContext(context)
    raise AssertionError("pcscd still sees a card after the emulator left")


@pytest.fixture
def reader(pcscd: Pcscd) -> Iterator[PcscReader]:
    device = PcscReader(reader="Virtual PCD 00 00", retry_s=0.1)
    device.open()
    yield device
    device.close()


def wait_for(reader: IdCardReader, expected: CardEvent, timeout: float = 5.0) -> float:
    """Seconds until ``expected`` arrives; other events are skipped."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if reader.wait_for_card_event(0.25) is expected:
            return time.monotonic() - started
    raise AssertionError(f"no {expected.value} event within {timeout} s")


@pytest.fixture(scope="session")
def build_library(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Compile one of our stand-in vendor libraries (C source next to this file) with gcc."""
    require_tool("gcc")
    folder = tmp_path_factory.mktemp("vendor-libs")
    built: dict[str, Path] = {}

    def build(source: str) -> Path:
        if source not in built:
            target = folder / f"lib{Path(source).stem}.so"
            subprocess.run(
                [
                    shutil.which("gcc") or "gcc",
                    "-shared",
                    "-fPIC",
                    "-O1",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    "-o",
                    str(target),
                    str(HERE / source),
                    "-lpthread",
                ],
                check=True,
                capture_output=True,
            )
            built[source] = target
        return built[source]

    return build
