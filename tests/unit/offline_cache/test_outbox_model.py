"""The outbox against a plain-Python model, over random interleavings of everything it does
(including closing and reopening the file)."""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from offline_cache.outbox import KIND_PRIORITY, Outbox

CAP = 6
KINDS = st.sampled_from(sorted(KIND_PRIORITY))
KEYS = st.sampled_from([f"k{n}" for n in range(12)])


@dataclass
class Item:
    key: str
    kind: str
    seq: int
    priority: int
    not_before: float = 0.0
    failures: int = 0


class OutboxModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="outbox-model-"))
        self.now = 1_000.0
        self.box = self.open()
        self.items: dict[str, Item] = {}
        self.dead: dict[str, str] = {}
        self.dropped: dict[str, int] = {}
        self.seq = 0

    def open(self) -> Outbox:
        return Outbox(self.dir / "outbox.sqlite3", max_items=CAP, clock=lambda: self.now)

    def teardown(self) -> None:
        self.box.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def due(self) -> list[Item]:
        ready = [i for i in self.items.values() if i.not_before <= self.now]
        return sorted(ready, key=lambda i: (i.priority, i.seq))

    @rule(kind=KINDS, key=KEYS)
    def enqueue(self, kind: str, key: str) -> None:
        assert self.box.enqueue(kind, {"key": key}, key) == key
        if key in self.items:
            return
        self.seq += 1
        priority = KIND_PRIORITY[kind]
        self.items[key] = Item(key, kind, self.seq, priority)
        excess = len(self.items) - CAP
        if excess > 0:
            floor = max(priority, 1)
            victims = sorted(
                (i for i in self.items.values() if i.priority >= floor),
                key=lambda i: (-i.priority, i.seq),
            )[:excess]
            for victim in victims:
                del self.items[victim.key]
                self.dropped[victim.kind] = self.dropped.get(victim.kind, 0) + 1

    @rule(limit=st.integers(1, 8))
    def peek(self, limit: int) -> None:
        got = [(i.idempotency_key, i.kind, i.failures) for i in self.box.peek(limit)]
        assert got == [(i.key, i.kind, i.failures) for i in self.due()[:limit]]

    @rule(data=st.data())
    def acknowledge(self, data: st.DataObject) -> None:
        keys = data.draw(st.lists(KEYS, max_size=4, unique=True))
        self.box.acknowledge(keys)
        for key in keys:
            self.items.pop(key, None)

    @rule(key=KEYS)
    def dead_letter(self, key: str) -> None:
        self.box.move_to_dead_letter(key, "INVALID")
        item = self.items.pop(key, None)
        if item is not None:
            self.dead[key] = item.kind

    @rule(key=KEYS)
    def requeue(self, key: str) -> None:
        requeued = self.box.requeue_dead_letter(key)
        kind = self.dead.pop(key, None)
        assert requeued == (kind is not None and key not in self.items)
        if requeued and kind is not None:
            self.seq += 1
            self.items[key] = Item(key, kind, self.seq, KIND_PRIORITY[kind])

    @rule(key=KEYS, delay=st.sampled_from([0.0, 5.0, 50.0]))
    def defer(self, key: str, delay: float) -> None:
        failures = self.box.defer(key, "NOT_ACKNOWLEDGED", delay)
        item = self.items.get(key)
        if item is None:
            assert failures == 0
            return
        item.failures += 1
        item.not_before = self.now + delay
        assert failures == item.failures

    @rule(seconds=st.sampled_from([1.0, 10.0, 60.0]))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds

    @rule()
    def reopen(self) -> None:
        self.box.close()
        self.box = self.open()

    @invariant()
    def counts_agree(self) -> None:
        health = self.box.health()
        assert self.box.depth() == health.depth == len(self.items)
        by_kind: dict[str, int] = {}
        for item in self.items.values():
            by_kind[item.kind] = by_kind.get(item.kind, 0) + 1
        assert dict(health.by_kind) == by_kind
        assert dict(health.dropped) == self.dropped
        assert dict((k, kind) for k, kind, _ in self.box.dead_letters()) == self.dead
        assert health.over_cap == (len(self.items) > CAP)


OutboxModel.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestOutboxModel = OutboxModel.TestCase
