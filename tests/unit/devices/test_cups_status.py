"""printer-state-reasons → sensor values, without a scheduler."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.base import Cover, Jam, Paper, Toner
from devices.printers.base import PrinterStatus
from devices.printers.cups_status import reason_keywords, status_from_attributes
from devices.printers.sensors import attention, blocking_fault


@given(
    reasons=st.one_of(
        st.none(),
        st.text(max_size=30),
        st.lists(st.text(max_size=30), max_size=6),
        st.integers(),
    )
)
def test_any_answer_gives_a_status(reasons: Any) -> None:
    assert isinstance(status_from_attributes({"printer-state-reasons": reasons}), PrinterStatus)


def test_no_answer_is_unknown() -> None:
    status = status_from_attributes({})
    assert (status.paper, status.cover, status.online) == (Paper.UNKNOWN, Cover.UNKNOWN, None)


def test_none_is_a_healthy_printer() -> None:
    status = status_from_attributes({"printer-state-reasons": ["none"]})
    assert status == PrinterStatus(Paper.OK, Cover.CLOSED, True, Jam.CLEAR, Toner.OK)
    assert blocking_fault(status, "", "now") is None and attention(status) == []


@pytest.mark.parametrize(
    ("reason", "field", "value"),
    [
        ("media-empty-error", "paper", Paper.OUT),
        ("media-needed-warning", "paper", Paper.OUT),
        ("media-low-report", "paper", Paper.LOW),
        ("door-open-error", "cover", Cover.OPEN),
        ("cover-open", "cover", Cover.OPEN),
        ("media-jam-error", "jam", Jam.JAMMED),
        ("offline-report", "online", False),
        ("toner-low-warning", "toner", Toner.LOW),
        ("marker-supply-empty-error", "toner", Toner.EMPTY),
    ],
)
def test_each_reason_maps_to_its_sensor(reason: str, field: str, value: object) -> None:
    status = status_from_attributes({"printer-state-reasons": ["none", reason]})
    assert getattr(status, field) == value


def test_reasons_lose_their_severity_suffix() -> None:
    assert reason_keywords("media-empty-error") == {"media-empty"}
    assert reason_keywords(["paused", "none", "toner-low-report"]) == {"paused", "toner-low"}


def test_a_paused_queue_is_not_an_offline_printer() -> None:
    """A stopped queue holds jobs (they time out and are cancelled); the device is fine."""
    assert status_from_attributes({"printer-state-reasons": ["paused"]}).online is True
