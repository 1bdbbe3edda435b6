"""How personal identifiers may leave the session's memory: masked, or as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac

from devices.idcard.idnumber import mask_id_number, mask_name

__all__ = ["mask_id_number", "mask_name", "subject_key"]


def subject_key(terminal_secret: bytes, id_number: str) -> str:
    """A stable pseudonym for one resident: HMAC-SHA256 with the terminal secret (hex, 32)."""
    digest = hmac.new(terminal_secret, b"subject:" + id_number.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
