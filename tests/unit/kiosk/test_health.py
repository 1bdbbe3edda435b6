import pytest

from devices.base import HealthLevel, HealthReport, Offline
from devices.idcard.simulated import SimulatedReader
from kiosk.health import internal_health


class CheckedReader(SimulatedReader):
    def __init__(self, answer: HealthReport | Exception) -> None:
        super().__init__()
        self.answer = answer
        self.levels: list[HealthLevel] = []

    def check_health(self, level: HealthLevel) -> HealthReport:
        self.levels.append(level)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_only_the_internal_check_runs_and_the_last_fault_is_read() -> None:
    reader = CheckedReader(HealthReport(True, "ready"))
    reader.last_fault = Offline("reader does not answer")
    health = internal_health("card_reader", reader)
    assert reader.levels == [HealthLevel.INTERNAL]
    assert (health.ok, health.text, health.last_fault) == (True, "ready", "offline")


def test_a_check_that_raises_is_a_failed_check(caplog: pytest.LogCaptureFixture) -> None:
    health = internal_health("card_reader", CheckedReader(OSError(5, "Input/output error")))
    assert not health.ok and health.text == "the health check raised OSError"
    assert health.last_fault is None
    assert "card_reader: health check failed" in caplog.text
