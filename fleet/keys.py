"""The operators' signing keys: ed25519, one PEM file (PKCS#8) per key.

Online keys (targets, snapshot, timestamp) live in the repository's key directory; the root
keys live in a directory of their own, meant to be kept offline (a USB stick in a safe) and
named explicitly by every command that needs it. A file is ``<role>-<keyid prefix>.pem``;
its public half and key id are derived from the private key, so nothing else is stored.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

ROLES = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES = ("targets", "snapshot", "timestamp")


def generate_key(keys_dir: Path, role: str) -> CryptoSigner:
    """A new ed25519 key for ``role``, written to ``keys_dir`` (mode 0600)."""
    signer = CryptoSigner.generate_ed25519()
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_path(keys_dir, role, signer.public_key.keyid)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(signer.private_bytes)
    return signer


def key_path(keys_dir: Path, role: str, keyid: str) -> Path:
    return keys_dir / f"{role}-{keyid[:16]}.pem"


def load_keys(keys_dir: Path, role: str) -> dict[str, CryptoSigner]:
    """Every key of ``role`` found in ``keys_dir``, by key id."""
    signers = {}
    for path in sorted(keys_dir.glob(f"{role}-*.pem")):
        private_key = load_pem_private_key(path.read_bytes(), password=None)
        signer = CryptoSigner(private_key)
        signers[signer.public_key.keyid] = signer
    return signers


def remove_key(keys_dir: Path, role: str, keyid: str) -> None:
    """Deletes a retired key's file (the root no longer lists it)."""
    key_path(keys_dir, role, keyid).unlink(missing_ok=True)
