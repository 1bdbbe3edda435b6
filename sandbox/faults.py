"""Faults the sandbox platform injects on purpose, so tests and the demo see the kiosk cope.

``Faults.inject("http_503", count=2)`` makes the next two ``/api/v1`` requests fail with 503.
Kinds and their parameters:

- ``latency`` (``ms``, default 500): answer normally after the delay.
- ``http_500``; ``http_503`` (optional ``retry_after`` seconds); ``http_429``
  (``retry_after``, default 2).
- ``hang`` (``seconds``, default 30): wait before answering, to trigger read timeouts.
- ``malformed_json``: a 200 whose JSON body is cut off.
- ``expired_token``: 401 TOKEN_EXPIRED; only requests that carry a bearer token use it up.
- ``reset``: close the connection without answering (TCP RST).

Every kind also takes ``path``: only requests whose path starts with it are affected
(default ``/api/v1/``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

FAULT_PARAMS: dict[str, frozenset[str]] = {
    "latency": frozenset({"ms"}),
    "http_500": frozenset(),
    "http_503": frozenset({"retry_after"}),
    "hang": frozenset({"seconds"}),
    "malformed_json": frozenset(),
    "expired_token": frozenset(),
    "reset": frozenset(),
    "http_429": frozenset({"retry_after"}),
}
DEFAULT_PATH = "/api/v1/"


@dataclass
class Fault:
    kind: str
    remaining: int
    params: dict[str, float]
    path: str = DEFAULT_PATH

    def number(self, name: str, default: float) -> float:
        return float(self.params.get(name, default))


class Faults:
    """Faults waiting for the next matching requests; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def inject(self, kind: str, count: int = 1, **params: Any) -> None:
        """Queue ``count`` occurrences of ``kind``; ValueError for anything malformed."""
        if kind not in FAULT_PARAMS:
            raise ValueError(f"unknown fault kind {kind!r}")
        path = params.pop("path", DEFAULT_PATH)
        unknown = set(params) - FAULT_PARAMS[kind]
        if unknown:
            raise ValueError(f"fault {kind} does not take {sorted(unknown)}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("path must be a path prefix")
        for name, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a non-negative number")
        with self._lock:
            self._pending.append(Fault(kind, count, dict(params), path))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def pending(self) -> int:
        """How many faulty answers are still to come."""
        with self._lock:
            return sum(f.remaining for f in self._pending)

    def take(self, path: str, has_token: bool) -> Fault | None:
        """The fault for this request, if one is due (it is used up as it is taken)."""
        with self._lock:
            for fault in self._pending:
                if not path.startswith(fault.path):
                    continue
                if fault.kind == "expired_token" and not has_token:
                    continue
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._pending.remove(fault)
                return fault
        return None
