"""When the terminal says it is ready for a card: the reader is open and answering."""

from __future__ import annotations

import threading
from pathlib import Path

from devices.base import DeviceState
from devices.idcard.reader import CardEvent
from devices.idcard.simulated import SimulatedReader
from kiosk.demo import DemoEnvironment
from kiosk.runtime import build_runtime


class ReaderAwayAtFirst(SimulatedReader):
    """Opens quietly while away, as the pcsc driver does in an outage it has reported, and
    is back (IDLE) from its third poll on."""

    def __init__(self) -> None:
        super().__init__()
        self.polls = 0

    def open(self) -> None:
        self.state = DeviceState.OFFLINE

    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        self.polls += 1
        if self.polls == 3:
            self.state = DeviceState.IDLE
        return super().wait_for_card_event(timeout)


def test_ready_once_the_reader_answers_not_when_it_is_merely_opened(tmp_path: Path) -> None:
    reader = ReaderAwayAtFirst()
    ready = threading.Event()
    polls_when_ready: list[int] = []

    def on_ready() -> None:
        polls_when_ready.append(reader.polls)
        ready.set()

    with DemoEnvironment(root=tmp_path) as demo:
        assert demo.settings is not None
        runtime = build_runtime(demo.settings, lambda view: None, reader=reader, on_ready=on_ready)
        runtime.start()
        try:
            assert ready.wait(timeout=10)
        finally:
            runtime.stop()
    assert polls_when_ready == [3]
