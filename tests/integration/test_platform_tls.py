"""The kiosk and the sandbox process over HTTPS with the platform CA pinned: the right CA
serves residents; another CA's or an expired certificate is refused, the resident is told the
platform is unavailable and the technician gets the fault (the running kiosk's outbox, and
the diag checks)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from devices.printers.kept_jobs import KeptJobStore
from kiosk import demo
from kiosk.config import PlatformSettings, SessionSettings
from kiosk.demo import DemoEnvironment, SandboxProcess, SandboxTls
from kiosk.diagnostics.checks import Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import LocalDevices
from kiosk.diagnostics.platform_checks import platform_checks
from kiosk.platform.client import CertificateRefused, PlatformClient
from kiosk.session import FailureReason, State
from sandbox import population
from sandbox.certificates import ServerCertificates, issue_certificates
from tests.kiosk_harness import RunningKiosk

TERMINAL = "XT-TLS-001"
SECRET = secrets.token_bytes(32)
FAST = SessionSettings(authenticating_timeout_s=10, fetching_timeout_s=10, failed_timeout_s=30)


def as_tls(issued: ServerCertificates) -> SandboxTls:
    return SandboxTls(issued.ca_file, issued.cert_file, issued.key_file)


def tls_sandbox(folder: Path, issued: ServerCertificates) -> SandboxProcess:
    secret_file = folder / "terminal.secret"
    secret_file.write_text(SECRET.hex(), encoding="ascii")
    return demo.start_sandbox_process(
        folder, TERMINAL, secret_file, folder / "sandbox.log", tls=as_tls(issued)
    )


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxProcess, Path]]:
    folder = tmp_path_factory.mktemp("good")
    issued = issue_certificates(folder / "pki")
    sandbox = tls_sandbox(folder, issued)
    yield sandbox, issued.ca_file
    sandbox.stop()


@pytest.fixture(scope="module")
def expired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxProcess, Path]]:
    folder = tmp_path_factory.mktemp("expired")
    issued = issue_certificates(folder / "pki", expired=True)
    sandbox = tls_sandbox(folder, issued)
    yield sandbox, issued.ca_file
    sandbox.stop()


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return issue_certificates(tmp_path_factory.mktemp("other")).ca_file


def fetch(url: str, ca_file: Path) -> str:
    with PlatformClient(url, TERMINAL, SECRET, retries=0, ca_file=ca_file) as platform:
        token = platform.open_resident_session(population.richest_resident().card())
        return platform.fetch_report(token).subject_name


def refused(url: str, ca_file: Path) -> CertificateRefused:
    with PlatformClient(url, TERMINAL, SECRET, retries=0, ca_file=ca_file) as platform:
        with pytest.raises(CertificateRefused) as error:
            platform.open_resident_session(population.richest_resident().card())
        assert platform.link_fault is error.value
        platform.ping()  # still refused: the fault lasts
        assert platform.link_fault is not None
    return error.value


def test_the_pinned_ca_serves_the_report(good: tuple[SandboxProcess, Path]) -> None:
    sandbox, ca_file = good
    assert sandbox.url.startswith("https://127.0.0.1:")
    assert fetch(sandbox.url, ca_file) == population.richest_resident().name


def test_a_certificate_another_ca_signed_is_refused(
    good: tuple[SandboxProcess, Path], other_ca: Path
) -> None:
    error = refused(good[0].url, other_ca)
    assert error.code == "TLS_CERT_UNTRUSTED"
    assert error.technician_text == "平台证书不是固定的平台 CA 签发的，终端拒绝连接"
    assert "platform.ca_file" in error.hint


def test_the_pin_holds_whatever_the_environment_trusts(
    good: tuple[SandboxProcess, Path], other_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests lets REQUESTS_CA_BUNDLE override a session's ``verify``: not the pin."""
    sandbox, right_ca = good
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(right_ca))
    assert refused(sandbox.url, other_ca).code == "TLS_CERT_UNTRUSTED"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_ca))
    assert fetch(sandbox.url, right_ca) == population.richest_resident().name


def test_an_expired_certificate_is_refused(expired: tuple[SandboxProcess, Path]) -> None:
    sandbox, ca_file = expired
    error = refused(sandbox.url, ca_file)
    assert error.code == "TLS_CERT_EXPIRED"
    assert error.technician_text == "平台证书已过期，终端拒绝连接"


def test_plain_http_to_a_tls_platform_fails_without_a_certificate_fault(
    good: tuple[SandboxProcess, Path],
) -> None:
    url = good[0].url.replace("https://", "http://")
    with PlatformClient(url, TERMINAL, SECRET, retries=0) as platform:
        assert platform.ping() is False
        assert platform.link_fault is None


def diag_tls(url: str, ca_file: Path) -> tuple[Status, str]:
    settings = PlatformSettings(base_url=url, ca_file=ca_file)
    no_devices = LocalDevices({}, KeptJobStore(Path("unused"), b"s"))  # opens nothing
    diag = Diagnostics(TERMINAL, no_devices, platform=settings, secret=SECRET)
    (check,) = [c for c in platform_checks(diag) if c.name == "tls"]
    return check.status, check.summary


def test_diag_names_an_expired_certificate(
    good: tuple[SandboxProcess, Path], expired: tuple[SandboxProcess, Path], other_ca: Path
) -> None:
    assert diag_tls(expired[0].url, expired[1]) == (Status.FAIL, "平台证书已过期")
    assert diag_tls(good[0].url, other_ca) == (
        Status.FAIL,
        "平台证书验证失败：不是固定的平台 CA 签发的",
    )
    assert diag_tls(good[0].url, good[1])[0] is Status.OK


# --- the running kiosk ---


def eventually(done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.05)


@pytest.mark.parametrize("certificate", ["other_ca", "expired"])
def test_a_refused_certificate_fails_the_resident_cleanly_and_tells_the_technician(
    tmp_path: Path, other_ca: Path, certificate: str
) -> None:
    issued = issue_certificates(tmp_path / "pki", expired=certificate == "expired")
    with DemoEnvironment(
        root=tmp_path / "demo",
        reader_options={"read_delay_s": 0.0},
        sandbox_tls=as_tls(issued),
    ) as environment:
        assert environment.settings is not None
        settings = environment.with_session(FAST)
        if certificate == "other_ca":
            settings = replace(settings, platform=replace(settings.platform, ca_file=other_ca))
        kiosk = RunningKiosk(settings, environment.cards)
        try:
            kiosk.reader.lay_card(population.DEMO_KEYS[0])
            failed = kiosk.wait_for(State.FAILED)
            assert failed.failure is not None
            assert failed.failure.reason is FailureReason.PLATFORM_UNAVAILABLE
            code = "TLS_CERT_EXPIRED" if certificate == "expired" else "TLS_CERT_UNTRUSTED"
            assert failed.failure.code in (code, "outage")
            eventually(lambda: code in kiosk.runtime.terminal.platform_faults)
            # The certificate is refused to the outbox drain too: the fault waits there.
            (fault,) = [f for f in kiosk.events("device_fault") if f["device"] == "platform"]
            assert fault["code"] == code.lower()
            assert fault["message"].startswith("平台证书") and fault["hint"]
        finally:
            kiosk.runtime.stop()
