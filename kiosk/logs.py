"""Logging set-up: one format, and a last line of defence that masks ID numbers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from devices.idcard.idnumber import mask_id_number

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


class MaskIdNumbers(logging.Filter):
    """Rewrites anything shaped like a full ID number in a record to its masked form.

    Code must never log personal data in the first place; this catches the mistake.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(log_file: Path | None = None, level: int = logging.INFO) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.addFilter(MaskIdNumbers())
        handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
