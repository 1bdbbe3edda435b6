"""The paint-first test's kiosk: ``python -m tests.first_frame_worker SHOT.png``.

Runs the demo kiosk offscreen through ``ui.app.run``, as ``taihaoban-kiosk run --demo``
does. At the window's first paint it notes which screen shows and which heavy modules are
loaded, saves the window as SHOT.png, and lays a demo card at once (the core has not started
yet then). When that card's report shows it notes the modules again and quits. Prints one
JSON line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from devices.idcard.reader import IdCardReader
from devices.idcard.simulated import SimulatedReader
from kiosk.demo import DemoEnvironment
from kiosk.session import SessionView, State
from ui import app
from ui.window import KioskWindow

HEAVY_MODULES = ("reportlab", "sqlite_utils", "requests", "cv2", "numpy")
WATCHDOG_MS = 60_000


def loaded_heavy_modules() -> list[str]:
    return [name for name in HEAVY_MODULES if name in sys.modules]


def main() -> int:
    shot = Path(sys.argv[1])
    seen: dict[str, Any] = {"states": []}

    def quit_with(code: int) -> None:
        QApplication.instance().exit(code)  # type: ignore[union-attr]

    def probe(window: KioskWindow, reader: IdCardReader) -> None:
        assert isinstance(reader, SimulatedReader)
        card_key = next(iter(reader.cards))  # the first demo resident: a clean record

        def first_paint() -> None:
            window.painted.disconnect(first_paint)
            seen["loaded_at_first_frame"] = loaded_heavy_modules()
            seen["attract_shown_at_first_frame"] = window.stack.currentWidget() is window.attract
            window.grab().save(str(shot))
            reader.lay_card(card_key)

        def changed(view: SessionView) -> None:
            seen["states"].append(view.state.value)
            if view.state is State.CONSENT:  # not tests.kiosk_harness: it loads the runtime
                window.consent.agree.click()
            if view.state is State.SHOWING:
                seen["loaded_when_report_shown"] = loaded_heavy_modules()
                quit_with(0)
            elif view.state is State.FAILED:
                quit_with(1)

        window.painted.connect(first_paint)
        window.bridge.changed.connect(changed)
        QTimer.singleShot(WATCHDOG_MS, lambda: quit_with(2))

    with DemoEnvironment() as demo:
        assert demo.settings is not None
        seen["exit_code"] = app.run(demo.settings, demo, full_screen=False, script=probe)
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
