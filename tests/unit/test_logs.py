import logging

import pytest

from kiosk.logs import MaskIdNumbers
from tests.cards import id_number


def test_id_numbers_in_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.logs")
    caplog.handler.addFilter(MaskIdNumbers())
    number = id_number()
    logger.warning("card %s read", number)
    assert number not in caplog.text
    assert f"{number[:4]}**********{number[-4:]}" in caplog.text
