"""The thin Qt facade over the terminal: session changes arrive as a queued signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.session import SessionView


class SessionBridge(QObject):
    """``publish`` may be called from any thread; ``changed`` is delivered on the GUI thread."""

    changed = Signal(object)  # SessionView

    def publish(self, view: SessionView) -> None:
        self.changed.emit(view)
