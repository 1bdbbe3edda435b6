"""Request signing shared by the platform client and the sandbox (ARCHITECTURE.md).

X-Signature = hex HMAC-SHA256(terminal secret, "\n".join([METHOD, path, canonical query,
timestamp, nonce, hex sha256(body)])). The canonical query sorts (key, value) pairs and
percent-encodes them (RFC 3986 unreserved characters left as they are).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from urllib.parse import quote

MAX_SKEW_S = 300
"""The platform refuses a request whose timestamp is further than this from its clock."""
SKEW_WARN_S = 60
"""A terminal clock further off than this is a fault for the technician, before the platform
starts refusing."""


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(pairs))


def signature(
    secret: bytes,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    timestamp: str,
    nonce: str,
    body: bytes,
) -> str:
    message = "\n".join(
        [
            method.upper(),
            path,
            canonical_query(query),
            timestamp,
            nonce,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def signed_headers(
    terminal_id: str,
    secret: bytes,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    body: bytes,
    now: float | None = None,
) -> dict[str, str]:
    """The four authentication headers for one request."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return {
        "X-Terminal-Id": terminal_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": signature(secret, method, path, query, timestamp, nonce, body),
    }
