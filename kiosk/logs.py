"""Logging set-up: one format, and a last line of defence that masks ID and phone numbers."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from devices.idcard.idnumber import mask_id_number

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
_MOBILE_NUMBER = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
LOG_FILE_BYTES = 10_000_000
LOG_FILE_BACKUPS = 3


def kiosk_log_file(state_dir: Path) -> Path:
    """Where the kiosk logs on a terminal (rotated; the technician screen shows its tail)."""
    return state_dir / "log" / "kiosk.log"


def mask_id_numbers(text: str) -> str:
    """``text`` with anything shaped like a full ID number (or a mainland mobile number)
    masked."""
    masked = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_NUMBER.sub(r"\1****\2", masked)


class MaskingFormatter(logging.Formatter):
    """Masks anything shaped like a full ID number in the whole formatted record: the
    message, an exception's traceback and a stack trace alike.

    Code must never log personal data in the first place; this catches the mistake.
    """

    def format(self, record: logging.LogRecord) -> str:
        return mask_id_numbers(super().format(record))


def configure_logging(log_file: Path | None = None, level: int = logging.INFO) -> None:
    """Log to stderr (the journal) and to ``log_file``; a log file that cannot be opened is
    said on stderr, and the kiosk runs on (a full or read-only disk must not stop it)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    unwritable = ""
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(
                    log_file,
                    maxBytes=LOG_FILE_BYTES,
                    backupCount=LOG_FILE_BACKUPS,
                    encoding="utf-8",
                )
            )
        except OSError as error:
            unwritable = f"{log_file} ({error.strerror})"
    for handler in handlers:
        handler.setFormatter(MaskingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    if unwritable:
        logging.getLogger(__name__).error("cannot write the log file %s: stderr only", unwritable)
