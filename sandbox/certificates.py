"""A throwaway PKI for the sandbox over TLS: a CA and a server certificate for loopback.

Tests and the benches run the sandbox over HTTPS with these and pin the CA in the kiosk's
settings, as a terminal pins the real platform's CA (``platform.ca_file``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class ServerCertificates:
    ca_file: Path
    """The CA certificate (PEM): what a client pins."""
    cert_file: Path
    """The server certificate (PEM) for ``localhost`` and 127.0.0.1, signed by the CA."""
    key_file: Path
    """The server's private key (PEM, unencrypted)."""
    cert_der: bytes
    """The server certificate as DER (its SHA-256 is the fingerprint a technician sees)."""


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def issue_certificates(folder: Path, *, expired: bool = False) -> ServerCertificates:
    """A new CA and a server certificate it signed, written into ``folder`` (ca.pem,
    server.pem, key.pem). ``expired``: the server certificate's validity ended yesterday."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test platform CA"))
        .issuer_name(_name("test platform CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    not_after = now - dt.timedelta(days=1) if expired else now + dt.timedelta(days=90)
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=10))
        .not_valid_after(not_after)
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
    issued = ServerCertificates(
        folder / "ca.pem",
        folder / "server.pem",
        folder / "key.pem",
        server.public_bytes(serialization.Encoding.DER),
    )
    issued.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    issued.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    issued.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    issued.key_file.chmod(0o600)
    return issued
