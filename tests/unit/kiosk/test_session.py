import datetime as dt

import pytest

from kiosk.contract import CreditReport
from kiosk.session import (
    FailureReason,
    InvalidTransition,
    PrintKind,
    Session,
    State,
)
from tests.cards import make_card
from tests.clock import FakeClock

TIMEOUTS = {
    State.READING: 10.0,
    State.AUTHENTICATING: 20.0,
    State.FETCHING: 30.0,
    State.SHOWING: 40.0,
    State.PRINTING: 50.0,
    State.DONE: 60.0,
    State.FAILED: 70.0,
    State.FACE_CHECK: 80.0,
}


def a_report() -> CreditReport:
    return CreditReport.from_rows(
        report_no="XT20261124000001",
        verify_code="ABCD1234",
        issued_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC),
        subject_name="测试员甲",
        subject_id_masked="3709**********123X",
        rows={},
    )


def walk_to(session: Session, state: State) -> None:
    steps = [
        (State.READING, session.start_reading),
        (State.AUTHENTICATING, lambda: session.card_read(make_card())),
        (State.FETCHING, lambda: session.authenticated("token")),
        (State.SHOWING, lambda: session.report_received(a_report())),
        (State.PRINTING, lambda: session.start_printing(frozenset({PrintKind.A4}))),
        (State.DONE, session.printed),
    ]
    if state is State.FAILED:
        session.start_reading()
        session.fail(FailureReason.CARD_UNREADABLE)
        return
    for target, step in steps:
        if session.state is state:
            return
        step()
        assert session.state is target


@pytest.fixture
def session(clock: FakeClock) -> Session:
    return Session(TIMEOUTS, clock)


def test_the_one_path(session: Session) -> None:
    walk_to(session, State.DONE)
    assert session.state is State.DONE
    assert session.card is None and session.report is None and session.token is None


@pytest.mark.parametrize(
    "state", [State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING]
)
def test_waiting_states_fail_with_timeout_at_their_deadline(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    clock.now += TIMEOUTS[state] - 0.01
    assert not session.expire()
    clock.now += 0.02
    assert session.expire()
    assert session.state is State.FAILED
    assert session.failure is not None
    assert session.failure.reason is FailureReason.TIMEOUT
    assert session.failure.during is state
    assert session.card is None and session.report is None and session.token is None


@pytest.mark.parametrize("state", [State.SHOWING, State.DONE, State.FAILED])
def test_screens_return_to_idle_at_their_deadline(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    clock.now += TIMEOUTS[state] + 0.01
    assert session.expire()
    assert session.state is State.IDLE
    assert session.card is None and session.report is None and session.failure is None


def test_touch_restarts_the_idle_countdown(session: Session, clock: FakeClock) -> None:
    walk_to(session, State.SHOWING)
    clock.now += 30
    session.touch()
    clock.now += 30
    assert not session.expire()
    assert session.remaining() == pytest.approx(10)


@pytest.mark.parametrize("state", list(State))
def test_wipe_from_every_state_forgets_everything(session: Session, state: State) -> None:
    walk_to(session, state)
    session.wipe()
    assert session.state is State.IDLE
    assert session.card is None and session.report is None and session.token is None
    assert session.failure is None and session.deadline is None
    assert session.view().holder_name == ""


@pytest.mark.parametrize("state", list(State))
def test_failed_is_reachable_from_every_state(session: Session, state: State) -> None:
    walk_to(session, state)
    session.fail(FailureReason.PLATFORM_UNAVAILABLE, "x")
    assert session.state is State.FAILED
    assert session.card is None and session.report is None


def test_out_of_order_steps_are_bugs(session: Session) -> None:
    with pytest.raises(InvalidTransition):
        session.report_received(a_report())
    walk_to(session, State.SHOWING)
    with pytest.raises(InvalidTransition):
        session.start_printing(frozenset())


def test_each_card_starts_a_new_numbered_session(session: Session) -> None:
    walk_to(session, State.READING)
    session.wipe()
    assert session.start_reading() == 2


def test_view_repr_holds_no_personal_data(session: Session) -> None:
    walk_to(session, State.SHOWING)
    assert "测试员甲" not in repr(session.view())


def test_every_state_but_idle_needs_a_timeout() -> None:
    with pytest.raises(ValueError):
        Session({State.READING: 1.0})


def face_check_session(session: Session) -> Session:
    walk_to(session, State.AUTHENTICATING)
    session.authenticated("token", face_check=True)
    return session


def test_with_the_face_check_on_the_consent_comes_before_the_report(session: Session) -> None:
    face_check_session(session)
    assert session.state is State.FACE_CHECK and session.face_attempt == 0
    assert session.face_attempt_started() == 1
    assert session.face_attempt_started() == 2
    assert session.view().face_attempt == 2
    session.face_verified()
    assert session.state is State.FETCHING and session.token == "token"


def test_each_face_attempt_gets_the_whole_time(session: Session, clock: FakeClock) -> None:
    face_check_session(session)
    clock.now += TIMEOUTS[State.FACE_CHECK] - 1
    session.face_attempt_started()
    clock.now += TIMEOUTS[State.FACE_CHECK] - 1
    assert not session.expire()
    clock.now += 2
    assert session.expire()
    assert session.failure is not None and session.failure.during is State.FACE_CHECK
    assert session.token is None and session.card is None


def test_a_face_mismatch_wipes_the_session(session: Session) -> None:
    face_check_session(session)
    session.face_attempt_started()
    session.fail(FailureReason.FACE_MISMATCH)
    assert session.token is None and session.card is None
    session.wipe()
    assert session.face_attempt == 0


def test_face_steps_outside_the_face_check_are_bugs(session: Session) -> None:
    walk_to(session, State.FETCHING)
    for step in (session.face_attempt_started, session.face_verified, session.face_check_skipped):
        with pytest.raises(InvalidTransition):
            step()
