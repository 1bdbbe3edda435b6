"""How personal identifiers may leave the session's memory: masked, or as a keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import re

from devices.idcard.idnumber import mask_id_number, mask_name

__all__ = ["is_mobile_number", "mask_id_number", "mask_name", "mask_phone", "subject_key"]

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def subject_key(terminal_secret: bytes, id_number: str) -> str:
    """A stable pseudonym for one resident: HMAC-SHA256 with the terminal secret (hex, 32)."""
    digest = hmac.new(terminal_secret, b"subject:" + id_number.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def is_mobile_number(text: str) -> bool:
    """A mainland mobile number: 11 digits, 1 then 3–9."""
    return _MOBILE.fullmatch(text) is not None


def mask_phone(phone: str) -> str:
    """138****1234: what a screen, a receipt or a log line may show of a phone number."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "*" * len(phone)
