import sqlite3
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox, OutboxError, PersonalDataRefused
from tests.cards import id_number
from tests.clock import FakeClock


def test_items_come_back_oldest_first_until_acknowledged(outbox: Outbox) -> None:
    keys = [outbox.enqueue("query_record", {"n": n}) for n in range(5)]
    assert [i.idempotency_key for i in outbox.peek(3)] == keys[:3]
    outbox.acknowledge(keys[:2])
    assert [i.payload["n"] for i in outbox.peek(10)] == [2, 3, 4]
    assert outbox.depth() == 3


def test_records_go_before_faults_and_faults_before_heartbeats(outbox: Outbox) -> None:
    outbox.enqueue("heartbeat", {}, "h1")
    outbox.enqueue("device_fault", {}, "f1")
    outbox.enqueue("query_record", {}, "q1")
    outbox.enqueue("technician_action", {}, "t1")
    outbox.enqueue("print_record", {}, "p1")
    assert [i.idempotency_key for i in outbox.peek(10)] == ["q1", "p1", "f1", "t1", "h1"]


def test_same_key_is_stored_once(outbox: Outbox) -> None:
    outbox.enqueue("print_record", {"a": 1}, idempotency_key="k1")
    outbox.enqueue("print_record", {"a": 2}, idempotency_key="k1")
    assert outbox.depth() == 1
    assert outbox.peek(5)[0].payload == {"a": 1}


def test_dead_letter_keeps_the_item_and_its_reason(outbox: Outbox) -> None:
    key = outbox.enqueue("device_fault", {"code": "x"})
    outbox.record_attempt([key])
    outbox.move_to_dead_letter(key, "INVALID_REQUEST")
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [(key, "device_fault", "INVALID_REQUEST")]
    (item,) = outbox.dead_letter_items()
    assert (item.payload, item.attempts) == ({"code": "x"}, 1)
    assert outbox.health().dead_letters == 1


def test_a_technician_can_send_a_dead_letter_again(outbox: Outbox) -> None:
    key = outbox.enqueue("device_fault", {"code": "x"})
    outbox.move_to_dead_letter(key, "UNKNOWN_KIND")
    assert outbox.requeue_dead_letter(key)
    assert not outbox.requeue_dead_letter(key)
    assert [i.idempotency_key for i in outbox.peek(5)] == [key]
    assert outbox.dead_letters() == []
    assert outbox.depth() == 1


def test_a_deferred_item_waits_and_counts_its_failures(outbox: Outbox, clock: FakeClock) -> None:
    bad = outbox.enqueue("query_record", {"n": 0})
    good = outbox.enqueue("query_record", {"n": 1})
    assert outbox.defer(bad, "NOT_ACKNOWLEDGED", 30) == 1
    assert [i.idempotency_key for i in outbox.peek(5)] == [good]
    clock.now += 31
    due = outbox.peek(5)
    assert [(i.idempotency_key, i.failures) for i in due] == [(bad, 1), (good, 0)]
    assert outbox.defer("no-such-key", "x", 1) == 0


def test_full_id_numbers_are_refused(outbox: Outbox) -> None:
    with pytest.raises(PersonalDataRefused):
        outbox.enqueue("query_record", {"id": id_number()})
    with pytest.raises(PersonalDataRefused):
        outbox.enqueue("query_record", {"note": f"holder {id_number()}."})
    with pytest.raises(PersonalDataRefused):
        outbox.enqueue("heartbeat", {"devices": {"reader": [f"card {id_number()}"]}})
    outbox.enqueue("query_record", {"id_masked": "3709**********123X"})
    assert outbox.depth() == 1
    assert issubclass(PersonalDataRefused, OutboxError), "callers handle every outbox refusal"


def test_a_report_number_of_eighteen_digits_is_not_taken_for_an_id_number(outbox: Outbox) -> None:
    """The contract's report_no is [A-Z0-9]{8,32}: all digits is a valid report number."""
    report_no = id_number()
    outbox.enqueue("print_record", {"report_no": report_no, "pages": 2})
    outbox.enqueue("query_record", {"outcome": "shown", "report_no": report_no})
    assert [i.payload["report_no"] for i in outbox.peek(5)] == [report_no, report_no]


def test_health_counts_by_kind_and_ages(outbox: Outbox, clock: FakeClock) -> None:
    outbox.enqueue("query_record", {})
    clock.now += 10
    outbox.enqueue("heartbeat", {})
    outbox.enqueue("heartbeat", {})
    health = outbox.health()
    assert health.depth == 3 and health.cap == outbox.max_items
    assert dict(health.by_kind) == {"query_record": 1, "heartbeat": 2}
    assert health.oldest_age_s == pytest.approx(10)
    assert not health.near_cap and not health.over_cap and health.recovered_from is None
    payload = health.as_payload()
    assert payload["by_kind"] == {"query_record": 1, "heartbeat": 2}


def test_items_survive_reopening_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = Outbox(path)
    key = first.enqueue("heartbeat", {"v": 1})
    first.close()
    second = Outbox(path)
    assert [i.idempotency_key for i in second.peek(5)] == [key]
    assert second.depth() == 1
    second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
