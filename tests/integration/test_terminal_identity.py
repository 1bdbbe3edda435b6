"""The running kiosk and the sandbox process: resident session tokens that expire, one token
per resident, the clock skew every reply tells, and the terminal secret rotated without a
restart (and never logged)."""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kiosk import demo
from kiosk.config import SessionSettings
from kiosk.demo import DemoEnvironment
from kiosk.platform.client import PlatformClient, SessionExpired, TerminalAuthFailed
from kiosk.session import FailureReason, SessionView, State
from sandbox import population
from sandbox.server import start_sandbox
from tests.kiosk_harness import RunningKiosk

FAST = SessionSettings(authenticating_timeout_s=10, fetching_timeout_s=10, failed_timeout_s=30)


def eventually(done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.05)


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[DemoEnvironment]:
    with DemoEnvironment(root=tmp_path, reader_options={"read_delay_s": 0.0}) as running:
        yield running


@pytest.fixture
def kiosk(environment: DemoEnvironment) -> Iterator[RunningKiosk]:
    running = RunningKiosk(environment.with_session(FAST), environment.cards)
    yield running
    running.runtime.stop()


def one_session(kiosk: RunningKiosk, key: str, until: State = State.SHOWING) -> SessionView:
    kiosk.reader.lay_card(key)
    view = kiosk.wait_for(until)
    kiosk.runtime.terminal.end_session()
    kiosk.wait_for(State.IDLE)
    kiosk.reader.remove_card()
    return view


# --- resident session tokens ---


def test_a_token_expired_mid_session_is_renewed_once_with_the_card(
    kiosk: RunningKiosk, environment: DemoEnvironment
) -> None:
    assert environment.sandbox is not None
    environment.sandbox.inject_fault("expired_token", count=1, path="/api/v1/reports/person")
    view = one_session(kiosk, population.DEMO_KEYS[0])
    assert view.report is not None
    assert environment.sandbox.state()["sessions"] == 2  # the card presented twice


def test_a_token_that_expires_again_fails_the_session_cleanly(
    kiosk: RunningKiosk, environment: DemoEnvironment
) -> None:
    assert environment.sandbox is not None
    environment.sandbox.inject_fault("expired_token", count=5, path="/api/v1/reports/person")
    kiosk.reader.lay_card(population.DEMO_KEYS[0])
    failed = kiosk.wait_for(State.FAILED)
    assert failed.failure is not None
    assert (failed.failure.reason, failed.failure.code) == (
        FailureReason.SESSION_EXPIRED,
        "TOKEN_EXPIRED",
    )
    assert failed.report is None and failed.holder_name == ""
    state = environment.sandbox.state()
    assert (state["sessions"], state["faults_pending"]) == (2, 3)  # one renewal, no more


def test_the_sandbox_token_lifetime_is_configurable(tmp_path: Path) -> None:
    secret = secrets.token_bytes(32)
    secret_file = tmp_path / "terminal.secret"
    secret_file.write_text(secret.hex(), encoding="ascii")
    sandbox = demo.start_sandbox_process(
        tmp_path,
        "XT-TTL-1",
        secret_file,
        tmp_path / "sandbox.log",
        serve_options=["--token-ttl-s=0"],
    )
    try:
        with PlatformClient(sandbox.url, "XT-TTL-1", secret, retries=0) as platform:
            token = platform.open_resident_session(population.richest_resident().card())
            with pytest.raises(SessionExpired) as error:
                platform.fetch_report(token)
        assert error.value.code == "TOKEN_EXPIRED"
    finally:
        sandbox.stop()


def test_a_token_is_never_used_for_another_resident(
    kiosk: RunningKiosk, environment: DemoEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each resident's calls carry only the tokens opened for that resident's card, a
    renewed token included."""
    platform = kiosk.runtime.platform
    calls: list[tuple[str, str]] = []  # (what, token), in order
    open_session, fetch_report = platform.open_resident_session, platform.fetch_report

    def recording_open(card: Any) -> str:
        token = open_session(card)
        calls.append(("open", token))
        return token

    def recording_fetch(token: str) -> Any:
        calls.append(("fetch", token))
        return fetch_report(token)

    monkeypatch.setattr(platform, "open_resident_session", recording_open)
    monkeypatch.setattr(platform, "fetch_report", recording_fetch)
    assert environment.sandbox is not None
    environment.sandbox.inject_fault("expired_token", count=1, path="/api/v1/reports/person")
    first, second = population.DEMO_KEYS[0], population.DEMO_KEYS[1]
    one_session(kiosk, first)
    first_calls = list(calls)
    calls.clear()
    one_session(kiosk, second)
    opened_first = {token for what, token in first_calls if what == "open"}
    assert len(opened_first) == 2  # the renewal
    assert [what for what, _ in calls] == ["open", "fetch"]
    assert not opened_first & {token for _, token in calls}
    assert {token for what, token in first_calls if what == "fetch"} <= opened_first


# --- clock skew ---


def test_a_clock_off_by_more_than_a_minute_is_a_fault_until_it_is_set(
    environment: DemoEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    settings = environment.with_session(FAST)
    settings = replace(settings, platform=replace(settings.platform, probe_interval_s=0.2))
    kiosk = RunningKiosk(settings, environment.cards)
    try:
        kiosk.runtime.drainer.stop()  # the fault stays in the outbox for the test to read
        terminal, platform = kiosk.runtime.terminal, kiosk.runtime.platform
        platform.clock = lambda: time.time() + 90
        eventually(lambda: "clock_skew" in terminal.platform_faults)
        (fault,) = [f for f in kiosk.events("device_fault") if f["code"] == "clock_skew"]
        assert fault["device"] == "platform"
        assert re.fullmatch(r"终端时钟比平台快约 (89|90|91) 秒（超过 60 秒）", fault["message"])
        assert "NTP" in fault["hint"]
        # Under the platform's 300 s the resident is served all the same.
        assert one_session(kiosk, population.DEMO_KEYS[0]).report is not None
        platform.clock = time.time
        eventually(lambda: not terminal.platform_faults)
        assert "platform link: clock_skew is over" in caplog.text
        assert len([f for f in kiosk.events("device_fault") if f["code"] == "clock_skew"]) == 1
    finally:
        kiosk.runtime.stop()


# --- the terminal secret ---


def write_secret(path: Path, secret: bytes) -> None:
    """As an operator installs a new secret: a new file moved over the old one."""
    new = path.with_name(path.name + ".new")
    new.write_text(secret.hex(), encoding="ascii")
    new.chmod(0o600)
    os.replace(new, path)


def test_the_secret_rotates_without_a_restart_and_is_never_logged(
    kiosk: RunningKiosk, environment: DemoEnvironment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert environment.sandbox is not None and environment.settings is not None
    secret_path = environment.settings.terminal.secret_file
    old = bytes.fromhex(secret_path.read_text(encoding="ascii"))
    first, second = secrets.token_bytes(32), secrets.token_bytes(32)
    terminal_id = environment.settings.terminal.id

    # 1. The platform has the new secret, the terminal not yet: the grace window holds.
    environment.sandbox.rotate_secret(terminal_id, first, grace_s=600)
    assert one_session(kiosk, population.DEMO_KEYS[0]).report is not None
    # 2. The terminal's file is replaced: the next request uses it.
    write_secret(secret_path, first)
    assert one_session(kiosk, population.DEMO_KEYS[0]).report is not None
    # 3. No grace, and the file rewritten in place with its old size and mtime (its stamp
    #    unchanged): the refused signature makes the client read it again.
    stamp = os.stat(secret_path)
    environment.sandbox.rotate_secret(terminal_id, second, grace_s=0)
    secret_path.write_text(second.hex(), encoding="ascii")
    os.utime(secret_path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert one_session(kiosk, population.DEMO_KEYS[0]).report is not None
    # The technician's fault follows the link on the session clock's next tick (another
    # request may have met the old secret too): it ends, it does not linger.
    deadline = time.monotonic() + 15.0
    while kiosk.runtime.terminal.platform_faults and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not kiosk.runtime.terminal.platform_faults

    sandbox_log = environment.sandbox_log_file.read_text(encoding="utf-8")
    assert sandbox_log.count("signed with its previous secret") >= 1
    for secret in (old, first, second):
        assert secret.hex() not in caplog.text
        assert secret.hex() not in sandbox_log


def test_an_old_secret_is_refused_once_the_grace_window_is_over() -> None:
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    with start_sandbox({"XT-ROT-1": old}) as sandbox:
        sandbox.rotate_secret("XT-ROT-1", new, grace_s=0)
        with (
            PlatformClient(sandbox.url, "XT-ROT-1", old, retries=0) as platform,
            pytest.raises(TerminalAuthFailed) as error,
        ):
            platform.public_notices()
        assert error.value.code == "BAD_SIGNATURE"
        with PlatformClient(sandbox.url, "XT-ROT-1", new, retries=0) as platform:
            assert platform.public_notices() is not None
