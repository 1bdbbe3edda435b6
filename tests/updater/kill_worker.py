"""``python -m tests.updater.kill_worker CONFIG STEP``: one ``update run`` that kills
itself with SIGKILL just before it takes STEP (a ``ReleaseTree``/``Poll`` step name), as a
power cut or the OOM killer would."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from kiosk.config import load_settings
from kiosk.updater.updater import Poll
from offline_cache.outbox import Outbox


def main() -> int:
    config, kill_at = Path(sys.argv[1]), sys.argv[2]

    def on_step(step: str) -> None:
        if step == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    settings = load_settings(config)
    assert settings.updater is not None
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")
    return Poll(settings, settings.updater, outbox, on_step).run()


if __name__ == "__main__":
    sys.exit(main())
