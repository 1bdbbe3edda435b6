"""The kiosk emits a signal for every state change, for months: emitting must not leak or
drop references (PySide6 6.12.0 dropped one reference to True per emit and aborted)."""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    bare = Signal()
    carrying = Signal(object)


def test_emitting_keeps_reference_counts_of_true_and_false() -> None:
    emitter = Emitter()
    received: list[object] = []
    emitter.carrying.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(2000):
        emitter.bare.emit()
        emitter.carrying.emit(n)
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    assert len(received) == 2000
