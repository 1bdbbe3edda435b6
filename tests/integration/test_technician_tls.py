"""The TLS step of the platform checks against a loopback TLS server whose certificate a
test CA signed: accepted with that CA pinned (and its fingerprint shown), refused without."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devices.printers.kept_jobs import KeptJobStore
from kiosk.config import PlatformSettings
from kiosk.diagnostics.checks import Area, Check, Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_access import LocalDevices
from kiosk.diagnostics.platform_checks import platform_checks


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def issue_certificates(folder: Path) -> tuple[Path, Path, Path, bytes]:
    """A CA and a server certificate for localhost it signed: (CA PEM, server PEM, server
    key PEM, server certificate DER)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test platform CA"))
        .issuer_name(_name("test platform CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file, server.public_bytes(serialization.Encoding.DER)


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
def certificates(tmp_path: Path) -> tuple[Path, Path, Path, bytes]:
    return issue_certificates(tmp_path)


@pytest.fixture
def server(certificates: tuple[Path, Path, Path, bytes]) -> Iterator[TlsServer]:
    _, cert_file, key_file, _ = certificates
    running = TlsServer(cert_file, key_file)
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
    server: TlsServer, certificates: tuple[Path, Path, Path, bytes]
) -> None:
    ca_file, _, _, server_der = certificates
    check = tls_check(server.port, ca_file)
    assert check.status is Status.OK, check
    assert "平台 CA 已固定" in check.summary
    assert check.facts["cert_sha256"] == hashlib.sha256(server_der).hexdigest()
    assert check.facts["pinned_ca"] == str(ca_file)


def test_without_the_pin_an_unknown_ca_is_refused(server: TlsServer) -> None:
    check = tls_check(server.port, None)
    assert (check.status, check.summary) == (Status.FAIL, "平台证书验证失败")
    assert "certifi" in check.detail


def test_a_certificate_another_ca_signed_is_refused_by_the_pin(
    server: TlsServer, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    other_ca, *_ = issue_certificates(other)
    check = tls_check(server.port, other_ca)
    assert check.status is Status.FAIL
    assert "不是固定的平台 CA 签发的" in check.summary
