import sqlite3
from pathlib import Path

import pytest

from offline_cache.outbox import Outbox, PersonalDataRefused
from tests.cards import id_number


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def test_items_come_back_oldest_first_until_acknowledged(outbox: Outbox) -> None:
    keys = [outbox.enqueue("query_record", {"n": n}) for n in range(5)]
    assert [i.idempotency_key for i in outbox.peek(3)] == keys[:3]
    outbox.acknowledge(keys[:2])
    assert [i.payload["n"] for i in outbox.peek(10)] == [2, 3, 4]
    assert outbox.depth() == 3


def test_same_key_is_stored_once(outbox: Outbox) -> None:
    outbox.enqueue("print_record", {"a": 1}, idempotency_key="k1")
    outbox.enqueue("print_record", {"a": 1}, idempotency_key="k1")
    assert outbox.depth() == 1


def test_dead_letter_keeps_the_item_and_its_reason(outbox: Outbox) -> None:
    key = outbox.enqueue("device_fault", {"code": "x"})
    outbox.move_to_dead_letter(key, "INVALID_REQUEST")
    assert outbox.depth() == 0
    assert outbox.dead_letters() == [(key, "device_fault", "INVALID_REQUEST")]


def test_full_id_numbers_are_refused(outbox: Outbox) -> None:
    with pytest.raises(PersonalDataRefused):
        outbox.enqueue("query_record", {"id": id_number()})
    with pytest.raises(PersonalDataRefused):
        outbox.enqueue("query_record", {"note": f"holder {id_number()}."})
    outbox.enqueue("query_record", {"id_masked": "3709**********123X"})
    assert outbox.depth() == 1


def test_items_survive_reopening_and_use_wal(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = Outbox(path)
    key = first.enqueue("heartbeat", {"v": 1})
    first.close()
    second = Outbox(path)
    assert [i.idempotency_key for i in second.peek(5)] == [key]
    second.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
