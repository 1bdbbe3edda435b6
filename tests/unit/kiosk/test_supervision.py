import threading
import time

from kiosk.supervision import (
    CLEAN_RUN_S,
    FAILURES_OUT_OF_SERVICE,
    SupervisedLoop,
)


def test_a_loop_whose_body_raises_is_reported_and_started_again() -> None:
    stopping = threading.Event()
    faults: list[tuple[str, str]] = []
    runs: list[int] = []

    def body() -> None:
        runs.append(len(runs))
        loop.tick()
        if len(runs) < 3:
            raise OSError(f"run {len(runs)} failed")
        stopping.wait(10)

    def on_fault(name: str, error: Exception) -> None:
        faults.append((name, str(error)))
        if len(faults) == 1:
            raise RuntimeError("the outbox is away")  # a failing recorder stops nothing

    loop = SupervisedLoop(
        "worker", body, stopping, on_fault, stale_after_s=60, first_backoff_s=0.01
    )
    loop.start()
    while len(runs) < 3 and loop.is_alive():
        stopping.wait(0.01)
    stopping.set()
    loop.join(5)
    assert not loop.is_alive()
    assert faults == [("worker", "run 1 failed"), ("worker", "run 2 failed")]
    assert loop.restarts == 2


def test_a_body_that_returns_ends_the_loop() -> None:
    stopping = threading.Event()
    loop = SupervisedLoop("worker", stopping.set, stopping, stale_after_s=60)
    loop.start()
    loop.join(5)
    assert not loop.is_alive() and loop.restarts == 0


def test_a_loop_that_stops_ticking_is_stale_and_fresh_again_once_it_ticks() -> None:
    stopping = threading.Event()
    wedged = threading.Event()
    released = threading.Event()

    def body() -> None:
        while not stopping.is_set():
            loop.tick()
            if wedged.is_set():
                released.wait(10)  # a driver call that does not return
            stopping.wait(0.01)

    loop = SupervisedLoop("worker", body, stopping, stale_after_s=0.5)
    loop.start()
    assert not loop.is_stale(time.monotonic())
    wedged.set()
    while not loop.is_stale(time.monotonic()):
        stopping.wait(0.05)
    released.set()
    wedged.clear()
    while loop.is_stale(time.monotonic()):
        stopping.wait(0.05)
    stopping.set()
    assert loop.join(5)


def test_backing_off_after_a_failure_is_not_being_wedged() -> None:
    stopping = threading.Event()

    def body() -> None:
        raise OSError("fails at once")

    loop = SupervisedLoop(
        "worker", body, stopping, stale_after_s=0.01, first_backoff_s=30, max_backoff_s=30
    )
    loop.start()
    while loop.restarts == 0:
        stopping.wait(0.01)
    assert not loop.is_stale(time.monotonic() + 20)  # waits 30 s before the next run
    assert loop.is_stale(time.monotonic() + 31)
    stopping.set()
    assert loop.join(5)


def test_a_loop_keeps_failing_after_repeated_failures_until_it_runs_clean() -> None:
    stopping = threading.Event()
    last_failure_due = threading.Event()
    go_on = threading.Event()
    running_clean = threading.Event()
    runs = 0

    def body() -> None:
        nonlocal runs
        runs += 1
        loop.tick()
        if runs == FAILURES_OUT_OF_SERVICE:
            last_failure_due.set()
            go_on.wait(10)
        if runs <= FAILURES_OUT_OF_SERVICE:
            raise OSError(f"run {runs} failed")
        running_clean.set()
        stopping.wait(10)

    loop = SupervisedLoop("worker", body, stopping, stale_after_s=60, first_backoff_s=0.001)
    loop.start()
    assert last_failure_due.wait(10)
    assert not loop.keeps_failing(time.monotonic())  # one failure fewer is not enough
    go_on.set()
    assert running_clean.wait(10)
    now = time.monotonic()
    assert loop.keeps_failing(now)
    assert not loop.keeps_failing(now + CLEAN_RUN_S)  # the last failure is long past
    stopping.set()
    assert loop.join(5)


class _RecordingStop(threading.Event):
    """A stop event whose waits return at once and are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        return self.is_set()


def test_the_back_off_starts_over_after_a_run_that_went_round() -> None:
    """A reader failing now and then, with cards read in between, must not be held back
    ever longer however close together the failures come: only runs that fail in their
    first round lengthen the wait."""
    stopping = _RecordingStop()
    rounds_per_run = [1, 1, 1, 3, 1]  # the 4th run read cards for two rounds, then failed

    def body() -> None:
        if not rounds_per_run:
            stopping.set()
            return
        for _ in range(rounds_per_run.pop(0)):
            loop.tick()
        raise OSError("Input/output error")

    loop = SupervisedLoop("card-reader", body, stopping, stale_after_s=60)
    loop._run()  # on this thread, waiting for nothing
    assert stopping.waits == [1.0, 2.0, 4.0, 1.0, 2.0]
    assert loop.restarts == 5
