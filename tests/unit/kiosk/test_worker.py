import threading

import pytest

from kiosk.worker import Worker


def test_calls_run_in_order_and_their_errors_reach_the_future() -> None:
    worker = Worker("test-worker")
    done: list[int] = []
    futures = [worker.submit(done.append, n) for n in range(5)]
    failed = worker.submit(int, "not a number")
    assert [f.result(5) for f in futures] == [None] * 5 and done == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError):
        failed.result(5)
    assert worker.stop(5)
    with pytest.raises(RuntimeError):
        worker.submit(done.append, 5)


def test_stop_cancels_what_waits_and_runs_last_after_the_call_under_way() -> None:
    worker = Worker("test-worker")
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def stuck() -> None:
        inside.set()
        release.wait(10)
        order.append("stuck call returned")

    worker.submit(stuck)
    waiting = worker.submit(order.append, "never runs")
    inside.wait(5)
    assert not worker.stop(0.05, last=lambda: order.append("close"))  # bounded: gives up
    assert waiting.cancelled()
    release.set()
    assert worker.stop(5)
    assert order == ["stuck call returned", "close"]


def test_a_worker_never_used_still_runs_last_on_stop() -> None:
    closed: list[str] = []
    worker = Worker("test-worker")
    assert worker.stop(5, last=lambda: closed.append(threading.current_thread().name))
    assert closed == ["test-worker"]
