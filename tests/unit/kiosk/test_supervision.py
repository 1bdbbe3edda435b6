import threading

from kiosk.supervision import SupervisedLoop


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

    loop = SupervisedLoop("worker", body, stopping, on_fault, first_backoff_s=0.01)
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
    loop = SupervisedLoop("worker", stopping.set, stopping)
    loop.start()
    loop.join(5)
    assert not loop.is_alive() and loop.restarts == 0
