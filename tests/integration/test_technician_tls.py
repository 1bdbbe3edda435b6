"""The TLS step of the platform checks against a loopback TLS server whose certificate a
test CA signed: accepted with that CA pinned (and its fingerprint shown), refused without."""

from __future__ import annotations

import hashlib
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printers.kept_jobs import KeptJobStore
from kiosk.config import PlatformSettings
from kiosk.diagnostics.checks import Area, Check, Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import LocalDevices
from kiosk.diagnostics.platform_checks import platform_checks
from sandbox.certificates import ServerCertificates, issue_certificates


class TlsServer:
    """Accepts TLS connections on loopback, completes each handshake and closes."""

    def __init__(self, cert_file: Path, key_file: Path) -> None:
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_file, key_file)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tls-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(2)
            try:
                with self._context.wrap_socket(connection, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                connection.close()  # a client that refused our certificate

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def certificates(tmp_path: Path) -> ServerCertificates:
    return issue_certificates(tmp_path)


@pytest.fixture
def server(certificates: ServerCertificates) -> Iterator[TlsServer]:
    running = TlsServer(certificates.cert_file, certificates.key_file)
    yield running
    running.stop()


def tls_check(port: int, ca_file: Path | None) -> Check:
    settings = PlatformSettings(
        base_url=f"https://localhost:{port}",
        connect_timeout_s=2.0,
        read_timeout_s=2.0,
        ca_file=ca_file,
    )
    no_devices = LocalDevices({}, KeptJobStore(Path("unused"), b"s"))  # opens nothing
    diag = Diagnostics("XT-TLS-1", no_devices, platform=settings, secret=b"s")
    (check,) = [c for c in platform_checks(diag) if c.name == "tls"]
    assert check.area is Area.PLATFORM
    return check


def test_the_pinned_ca_is_trusted_and_the_certificate_fingerprint_shown(
    server: TlsServer, certificates: ServerCertificates
) -> None:
    check = tls_check(server.port, certificates.ca_file)
    assert check.status is Status.OK, check
    assert "平台 CA 已固定" in check.summary
    assert check.facts["cert_sha256"] == hashlib.sha256(certificates.cert_der).hexdigest()
    assert check.facts["pinned_ca"] == str(certificates.ca_file)


def test_without_the_pin_an_unknown_ca_is_refused(server: TlsServer) -> None:
    check = tls_check(server.port, None)
    assert (check.status, check.summary) == (Status.FAIL, "平台证书验证失败")
    assert "certifi" in check.detail


def test_a_certificate_another_ca_signed_is_refused_by_the_pin(
    server: TlsServer, tmp_path: Path
) -> None:
    other = issue_certificates(tmp_path / "other")
    check = tls_check(server.port, other.ca_file)
    assert check.status is Status.FAIL
    assert "不是固定的平台 CA 签发的" in check.summary
