import datetime as dt

import pytest

from kiosk.config import SessionSettings
from kiosk.contract import CreditReport
from kiosk.session import (
    FailureReason,
    InvalidTransition,
    PrintKind,
    Session,
    State,
)
from kiosk.terminal import session_timeouts
from tests.cards import make_card
from tests.clock import FakeClock

TIMEOUTS = {
    State.READING: 10.0,
    State.CONSENT: 15.0,
    State.AUTHENTICATING: 20.0,
    State.FETCHING: 30.0,
    State.ENTERPRISE_CODE: 35.0,
    State.SHOWING: 40.0,
    State.PRINTING: 50.0,
    State.DONE: 60.0,
    State.FAILED: 70.0,
    State.PRINT_PAUSED: 80.0,
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
        (State.CONSENT, lambda: session.card_read(make_card())),
        (State.AUTHENTICATING, session.consent_given),
        (State.FETCHING, lambda: session.authenticated("token")),
        (State.SHOWING, lambda: session.report_received(a_report())),
        (State.PRINTING, lambda: session.start_printing(frozenset({PrintKind.A4}))),
        (State.DONE, session.printed),
    ]
    if state is State.FAILED:
        session.start_reading()
        session.fail(FailureReason.CARD_UNREADABLE)
        return
    if state is State.ENTERPRISE_CODE:
        session.start_reading(enterprise=True)
        session.card_read(make_card())
        session.consent_given()
        session.authenticated("token")
        assert session.state is State.ENTERPRISE_CODE
        return
    for target, step in steps:
        if session.state is state:
            return
        step()
        assert session.state is target


STILL_THERE_S = 8.0
GRACE_S = 5.0


@pytest.fixture
def session(clock: FakeClock) -> Session:
    return Session(TIMEOUTS, clock, still_there_s=STILL_THERE_S, card_grace_s=GRACE_S)


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


@pytest.mark.parametrize("state", [State.DONE, State.FAILED])
def test_screens_return_to_idle_at_their_deadline(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    clock.now += TIMEOUTS[state] + 0.01
    assert session.expire()
    assert session.state is State.IDLE
    assert session.card is None and session.report is None and session.failure is None


@pytest.mark.parametrize("state", [State.CONSENT, State.SHOWING])
def test_an_idle_resident_is_asked_before_the_session_ends(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    clock.now += TIMEOUTS[state] + 0.01
    assert session.expire()
    assert session.state is state and session.asking and session.view().asking
    assert session.remaining() == pytest.approx(STILL_THERE_S, abs=0.02)
    clock.now += STILL_THERE_S - 0.1
    assert not session.expire()
    clock.now += 0.2
    assert session.expire()
    assert session.state is State.IDLE and session.card is None and not session.asking


@pytest.mark.parametrize("state", [State.CONSENT, State.SHOWING])
def test_answering_the_prompt_gives_the_whole_time_again(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    clock.now += TIMEOUTS[state] + 0.01
    session.expire()
    session.touch()
    assert not session.asking and session.state is state
    assert session.remaining() == pytest.approx(TIMEOUTS[state])


def test_consent_given_goes_on_to_the_platform(session: Session) -> None:
    walk_to(session, State.CONSENT)
    assert session.card is not None
    session.consent_given()
    assert session.state is State.AUTHENTICATING and session.card is not None


def test_consent_refused_forgets_the_card_and_ends(session: Session) -> None:
    walk_to(session, State.CONSENT)
    session.consent_refused()
    assert session.state is State.IDLE and session.card is None and session.deadline is None


def test_consent_cannot_be_refused_or_given_elsewhere(session: Session) -> None:
    walk_to(session, State.SHOWING)
    with pytest.raises(InvalidTransition):
        session.consent_refused()
    with pytest.raises(InvalidTransition):
        session.consent_given()


@pytest.mark.parametrize("state", [State.CONSENT, State.SHOWING])
def test_a_card_laid_back_within_the_grace_period_continues(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    assert session.card_lifted()
    assert session.card_away and session.view().card_away
    assert session.remaining() == pytest.approx(GRACE_S)
    clock.now += GRACE_S - 0.1
    assert not session.expire()
    session.card_returned()
    assert session.state is state and not session.card_away and session.card is not None
    assert session.remaining() == pytest.approx(TIMEOUTS[state])


@pytest.mark.parametrize("state", [State.CONSENT, State.SHOWING])
def test_a_card_not_laid_back_in_time_ends_the_session(
    session: Session, clock: FakeClock, state: State
) -> None:
    walk_to(session, state)
    session.card_lifted()
    clock.now += GRACE_S + 0.01
    assert session.expire()
    assert session.state is State.IDLE and session.card is None and session.report is None


def test_while_the_card_is_away_a_touch_does_not_stop_the_grace_countdown(
    session: Session, clock: FakeClock
) -> None:
    walk_to(session, State.SHOWING)
    clock.now += TIMEOUTS[State.SHOWING] + 0.01
    session.expire()  # asking
    session.card_lifted()
    assert not session.asking and session.remaining() == pytest.approx(GRACE_S)
    clock.now += 1
    session.touch()
    session.card_lifted()  # a second removal event does not restart it either
    assert session.remaining() == pytest.approx(GRACE_S - 1)
    with pytest.raises(InvalidTransition):
        session.start_printing(frozenset({PrintKind.A4}))


@pytest.mark.parametrize("state", [State.READING, State.FETCHING, State.PRINTING, State.DONE])
def test_lifting_the_card_elsewhere_is_left_to_the_caller(session: Session, state: State) -> None:
    walk_to(session, state)
    assert not session.card_lifted()
    assert not session.card_away and session.state is state
    with pytest.raises(InvalidTransition):
        session.card_returned()


def test_longer_limits_apply_from_the_next_state(session: Session, clock: FakeClock) -> None:
    walk_to(session, State.CONSENT)
    longer = {state: seconds * 2 for state, seconds in TIMEOUTS.items()}
    session.use_timeouts(longer, still_there_s=STILL_THERE_S * 2, card_grace_s=GRACE_S * 2)
    assert session.remaining() == pytest.approx(TIMEOUTS[State.CONSENT])
    session.card_lifted()
    assert session.remaining() == pytest.approx(GRACE_S * 2)
    session.card_returned()
    assert session.remaining() == pytest.approx(TIMEOUTS[State.CONSENT] * 2)


def test_touch_restarts_the_idle_countdown(session: Session, clock: FakeClock) -> None:
    walk_to(session, State.SHOWING)
    clock.now += 30
    session.touch()
    clock.now += 30
    assert not session.expire()
    assert session.remaining() == pytest.approx(10)


def test_enterprise_path_asks_for_the_code_after_authentication(session: Session) -> None:
    walk_to(session, State.ENTERPRISE_CODE)
    assert session.view().enterprise and session.token == "token"
    session.enterprise_code_entered("91350100M000100Y43")
    assert (session.state, session.uscc) == (State.FETCHING, "91350100M000100Y43")
    session.report_received(a_report())
    assert session.state is State.SHOWING
    session.wipe()
    assert not session.enterprise and session.uscc == "" and not session.view().enterprise
    walk_to(session, State.FETCHING)  # the next card: a person's report again
    assert not session.enterprise


def test_the_code_keyboard_countdown_restarts_on_a_touch(
    session: Session, clock: FakeClock
) -> None:
    walk_to(session, State.ENTERPRISE_CODE)
    clock.now += 30
    session.touch()
    clock.now += 30
    assert not session.expire()
    assert session.remaining() == pytest.approx(5)


def test_a_code_is_only_taken_when_asked_for(session: Session) -> None:
    walk_to(session, State.FETCHING)
    with pytest.raises(InvalidTransition):
        session.enterprise_code_entered("91350100M000100Y43")


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


def test_elder_mode_lengthens_only_what_the_resident_reads() -> None:
    settings = SessionSettings(elder_factor=3.0)
    plain, elder = session_timeouts(settings), session_timeouts(settings, elder=True)
    assert elder[State.CONSENT] == 3 * plain[State.CONSENT]
    assert elder[State.SHOWING] == 3 * plain[State.SHOWING]
    for machine_works in (State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING):
        assert elder[machine_works] == plain[machine_works]


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
