import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.logs import configure_logging
from tests.cards import id_number


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root logger's handlers: put pytest's back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_log_file_never_holds_a_full_id_number(tmp_path: Path, root_logging: None) -> None:
    log_file = tmp_path / "kiosk.log"
    configure_logging(log_file)
    logger = logging.getLogger("test.logs")
    number = id_number()
    logger.warning("card %s read", number)
    try:
        raise ValueError(f"no record for {number}")
    except ValueError:
        logger.exception("lookup failed")
    logger.info("where we were", stack_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()

    text = log_file.read_text(encoding="utf-8")
    assert number not in text
    masked = f"{number[:4]}**********{number[-4:]}"
    assert text.count(masked) == 2, "the message and the traceback, masked"
    assert "Traceback (most recent call last)" in text and "Stack (most recent call last)" in text


def test_a_log_file_that_cannot_be_written_leaves_stderr_logging(
    tmp_path: Path, root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    configure_logging(blocker / "kiosk.log")
    logging.getLogger("test.logs").warning("still heard")
    err = capsys.readouterr().err
    assert "cannot write the log file" in err and "still heard" in err


def test_the_log_file_never_holds_a_full_mobile_number(tmp_path: Path, root_logging: None) -> None:
    log_file = tmp_path / "kiosk.log"
    configure_logging(log_file)
    logging.getLogger("test.logs").warning("follow-up phone %s given", "13912348765")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "13912348765" not in text and "139****8765" in text
