"""A follow-up phone number sealed for the platform, for the time it waits in the outbox.

An objection filed while the platform is unreachable waits in the outbox; the resident's
phone number (personal data) is stored there only sealed: AES-GCM under a key derived from
the terminal secret, which the platform shares, bound to the item's idempotency key. The
outbox file, its dead letters and every log line hold only the sealed form; the platform
opens it on delivery. Shared by the client side and the sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class SealBroken(ValueError):
    """A sealed value that does not open with this secret and key (tampered or foreign)."""


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"taihaoban-seal:objection-phone", hashlib.sha256).digest()


def seal(secret: bytes, idempotency_key: str, value: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(secret)).encrypt(nonce, value.encode(), idempotency_key.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(secret: bytes, idempotency_key: str, sealed: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        nonce, body = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return AESGCM(_key(secret)).decrypt(nonce, body, idempotency_key.encode()).decode()
    except (ValueError, InvalidTag) as error:
        raise SealBroken("sealed value does not open") from error
