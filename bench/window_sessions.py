"""The demo kiosk's window over a started core, driven as a resident would: a card laid,
同意 on 查询授权 at once, the report painted, the session ended, the card taken away."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from kiosk.session import SessionView, State

if TYPE_CHECKING:
    from kiosk.demo import DemoEnvironment


class WindowSessions:
    def __init__(self, demo: DemoEnvironment) -> None:
        from ui.app import application, build_window

        self.app = application()
        assert demo.settings is not None
        self.window, self.runtime = build_window(demo.settings, demo)
        self.window.resize(1920, 1080)
        self.window.show()
        self.runtime.start()
        self.reader = self.runtime.terminal.devices.reader
        self.states: list[State] = []
        # a closure, not the bound method: PySide6 would keep no reference to this plain object
        self.window.bridge.changed.connect(lambda view: self._changed(view))

    def _changed(self, view: SessionView) -> None:
        self.states.append(view.state)
        if view.state is State.CONSENT:
            self.window.consent.agree.click()

    def wait_for(self, state: State, timeout_s: float = 20.0) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        timer = QTimer()

        def check() -> None:  # a slot must return None: PySide6 mis-counts a returned bool
            if self.states and self.states[-1] is state:
                loop.quit()

        timer.timeout.connect(check)
        timer.start(1)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        timer.stop()
        if not self.states or self.states[-1] is not state:
            raise RuntimeError(f"expected {state}, saw {self.states[-3:]}")

    def card_to_report(self, key: str) -> float:
        """Seconds from laying the card ``key`` to its report painted."""
        self.states.clear()
        started = time.perf_counter()
        self.reader.lay_card(key)  # type: ignore[attr-defined]
        self.wait_for(State.SHOWING)
        self.window.repaint()
        return time.perf_counter() - started

    def end_session(self) -> None:
        self.runtime.terminal.end_session()
        self.wait_for(State.IDLE)
        self.reader.remove_card()  # type: ignore[attr-defined]
        self.app.processEvents()

    def stop(self) -> None:
        self.runtime.stop()
        self.window.close()
