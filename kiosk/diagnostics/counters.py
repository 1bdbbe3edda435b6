"""What each device did since the kiosk started: cards read, jobs printed, cuts, faults."""

from __future__ import annotations

import threading
from collections import Counter


class DeviceCounters:
    """Counts by device (``card_reader``…) and event (``cards_read``…); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {}

    def add(self, device: str, event: str, n: int = 1) -> None:
        with self._lock:
            self._counts.setdefault(device, Counter())[event] += n

    def snapshot(self, device: str) -> dict[str, int]:
        with self._lock:
            return dict(self._counts.get(device, {}))
