"""The session's 长辈模式 time limits and its print paused for paper out."""

from __future__ import annotations

import pytest

from kiosk.session import InvalidTransition, PrintKind, Session, State
from tests.cards import make_card
from tests.clock import FakeClock
from tests.reports import make_report

TIMEOUTS = {state: 10.0 for state in State if state is not State.IDLE}


def showing(clock: FakeClock) -> Session:
    session = Session(TIMEOUTS, clock)
    elder_timeouts = {state: 3 * limit for state, limit in TIMEOUTS.items()}
    session.use_timeouts(elder_timeouts, still_there_s=30.0, card_grace_s=15.0, elder=True)
    session.start_reading()
    session.card_read(make_card())
    session.consent_given()
    session.authenticated("token")
    session.report_received(make_report())
    return session


def test_elder_mode_uses_its_own_time_limits_until_the_session_ends(clock: FakeClock) -> None:
    session = showing(clock)
    session.set_elder(True)
    assert session.deadline == clock() + 30.0
    session.start_printing(frozenset({PrintKind.A4}))
    assert session.deadline == clock() + 30.0
    session.printed()
    session.wipe()
    assert not session.elder and not session.view().elder
    session.start_reading()
    assert session.deadline == clock() + 10.0


def test_a_paused_print_keeps_the_report_resumes_and_times_out(clock: FakeClock) -> None:
    session = showing(clock)
    session.start_printing(frozenset(PrintKind))
    session.print_paused(frozenset({PrintKind.A4}))
    assert session.state is State.PRINT_PAUSED and session.report is not None
    session.print_resumed()
    assert session.state is State.PRINTING and session.print_kinds == {PrintKind.A4}
    session.print_paused(frozenset({PrintKind.A4}))
    clock.sleep(10.0)
    assert session.expire() and session.state is State.IDLE and session.report is None


def test_only_a_print_under_way_can_pause(clock: FakeClock) -> None:
    session = showing(clock)
    with pytest.raises(InvalidTransition):
        session.print_paused(frozenset({PrintKind.A4}))
    with pytest.raises(InvalidTransition):
        session.print_resumed()
