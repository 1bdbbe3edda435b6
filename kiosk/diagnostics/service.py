"""The technician's out-of-service switch, kept in the state directory across restarts.

It is the second reason a terminal is out of service, next to supervision's (a loop that
keeps failing, ``kiosk.supervision``): either one shows residents 暂停服务 with the service
window. The file exists exactly while the terminal is switched off; it says when and why.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SWITCH_FILE = "out-of-service.json"


@dataclass(frozen=True)
class SwitchedOff:
    since: dt.datetime | None
    """None when the file could not be read (it still switches the terminal off)."""
    reason: str


class ServiceSwitch:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / SWITCH_FILE

    def is_off(self) -> bool:
        """Cheap (one stat): the terminal asks on every tick of its clock."""
        return self.path.exists()

    def switched_off(self) -> SwitchedOff | None:
        try:
            data = json.loads(self.path.read_bytes())
            return SwitchedOff(dt.datetime.fromisoformat(data["since"]), str(data["reason"]))
        except FileNotFoundError:
            return None
        except OSError as error:
            log.warning("out-of-service switch unreadable (%s): still off", error.strerror)
            return SwitchedOff(None, "")
        except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
            log.warning("out-of-service switch %s is garbled: still off", self.path)
            return SwitchedOff(None, "")

    def switch_off(self, reason: str, now: dt.datetime) -> None:
        """Written atomically and synced: a power cut never leaves half a switch."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{SWITCH_FILE}.tmp")
        with staged.open("w", encoding="utf-8") as out:
            json.dump({"since": now.isoformat(), "reason": reason}, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staged, self.path)

    def switch_on(self) -> None:
        self.path.unlink(missing_ok=True)
