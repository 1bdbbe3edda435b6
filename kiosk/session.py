"""One resident's session as a plain state machine (no Qt, no I/O, no threads).

IDLE → READING → AUTHENTICATING → [FACE_CHECK] → FETCHING → SHOWING → PRINTING → DONE, with FAILED
reachable from every state. Each state has a deadline; ``expire()`` applies it. Every way
back to IDLE goes through ``wipe()``, which drops the card, the token and the report.
The owner (``kiosk.terminal``) calls this from a single thread.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from devices.idcard.card import IdentityCard
from kiosk.contract import CreditReport


class State(enum.Enum):
    IDLE = "idle"
    READING = "reading"
    AUTHENTICATING = "authenticating"
    FACE_CHECK = "face_check"
    FETCHING = "fetching"
    SHOWING = "showing"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"


class FailureReason(enum.Enum):
    CARD_UNREADABLE = "card_unreadable"
    CARD_CHECKSUM = "card_checksum"
    CARD_UNSUPPORTED = "card_unsupported"
    CARD_EXPIRED = "card_expired"
    CARD_MOVED = "card_moved"
    NOT_AN_ID_CARD = "not_an_id_card"
    READER_FAULT = "reader_fault"
    PLATFORM_UNAVAILABLE = "platform_unavailable"
    PLATFORM_REJECTED = "platform_rejected"
    IDENTITY_MISMATCH = "identity_mismatch"
    REPORT_MALFORMED = "report_malformed"
    PRINTER_FAULT = "printer_fault"
    TIMEOUT = "timeout"
    FACE_CHECK_REFUSED = "face_check_refused"
    """The resident chose 不用刷脸，到窗口办理: no failure of theirs, the window helps."""
    FACE_MISMATCH = "face_mismatch"
    """No match after the last attempt: the window checks identity in person."""


@dataclass(frozen=True)
class Failure:
    reason: FailureReason
    during: State
    code: str = ""
    """The device or platform error code behind it (no personal data)."""


class PrintKind(enum.Enum):
    A4 = "a4"
    RECEIPT = "receipt"


class InvalidTransition(RuntimeError):
    """A bug: the owner asked for a transition the state machine does not have."""


_NEXT = {
    State.IDLE: State.READING,
    State.READING: State.AUTHENTICATING,
    State.AUTHENTICATING: State.FETCHING,
    State.FETCHING: State.SHOWING,
    State.SHOWING: State.PRINTING,
    State.PRINTING: State.DONE,
}


@dataclass(frozen=True, repr=False)
class SessionView:
    """What the screens may show: an immutable snapshot taken after each change."""

    number: int
    state: State
    deadline: float | None
    """``clock()`` time at which the current state times out; None in IDLE."""
    failure: Failure | None = None
    report: CreditReport | None = None
    holder_name: str = ""
    print_kinds: frozenset[PrintKind] = frozenset()
    printable: frozenset[PrintKind] = frozenset(PrintKind)
    """What the print choice may offer: printers whose last health check was ok (the
    terminal fills it in; the session knows nothing of devices)."""
    in_service: bool = True
    """False while a supervised loop keeps failing: the screen says 暂停服务 (the terminal)."""
    face_check: bool = False
    """This terminal checks the face before the report (config on and the camera healthy;
    the terminal fills it in). False: the consent step says identity is checked by the card
    only."""
    face_attempt: int = 0
    """In FACE_CHECK: 0 while the face consent is asked, then the attempt under way."""

    def __repr__(self) -> str:
        return f"SessionView(#{self.number}, {self.state.value})"


class Session:
    def __init__(
        self,
        timeouts: Mapping[State, float],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        missing = set(State) - {State.IDLE} - set(timeouts)
        if missing:
            raise ValueError(f"no timeout for {sorted(s.value for s in missing)}")
        self._timeouts = dict(timeouts)
        self._clock = clock
        self.number = 0
        self.state = State.IDLE
        self.deadline: float | None = None
        self.failure: Failure | None = None
        self.card: IdentityCard | None = None
        self.token: str | None = None
        self.report: CreditReport | None = None
        self.print_kinds: frozenset[PrintKind] = frozenset()
        self.face_attempt = 0
        """In FACE_CHECK: 0 while the face consent is asked, then the attempt under way."""

    # --- transitions along the one path ---
    def _advance(self, expected: State) -> None:
        if self.state is not expected:
            raise InvalidTransition(f"cannot leave {self.state.value} as if {expected.value}")
        self._enter(_NEXT[expected])

    def _enter(self, state: State) -> None:
        self.state = state
        self.deadline = None if state is State.IDLE else self._clock() + self._timeouts[state]

    def start_reading(self) -> int:
        """A card was laid on the reader: a new session begins. Returns its number."""
        self._advance(State.IDLE)
        self.number += 1
        return self.number

    def card_read(self, card: IdentityCard) -> None:
        self._advance(State.READING)
        self.card = card

    def authenticated(self, token: str, face_check: bool = False) -> None:
        """``face_check``: this terminal checks the face (人证核验) before the report, so
        FACE_CHECK (its consent first) comes next, not FETCHING."""
        self._advance(State.AUTHENTICATING)
        self.token = token
        if face_check:
            self.face_attempt = 0
            self._enter(State.FACE_CHECK)

    # --- the face check (人证核验), between authentication and the report ---
    def face_attempt_started(self) -> int:
        """The resident consented (first attempt) or tries again: each attempt gets the
        state's whole time. Returns the attempt's number (1 for the first)."""
        if self.state is not State.FACE_CHECK:
            raise InvalidTransition(f"no face check attempt in {self.state.value}")
        self.face_attempt += 1
        self._enter(State.FACE_CHECK)
        return self.face_attempt

    def face_verified(self) -> None:
        """The platform matched the face with the card holder: on to the report."""
        if self.state is not State.FACE_CHECK:
            raise InvalidTransition(f"cannot verify a face in {self.state.value}")
        self._enter(State.FETCHING)

    def face_check_skipped(self) -> None:
        """The camera failed during the check: identity rests on the card, as on a terminal
        without a camera; on to the report."""
        if self.state is not State.FACE_CHECK:
            raise InvalidTransition(f"no face check to skip in {self.state.value}")
        self._enter(State.FETCHING)

    def report_received(self, report: CreditReport) -> None:
        self._advance(State.FETCHING)
        self.report = report

    def start_printing(self, kinds: frozenset[PrintKind]) -> None:
        if not kinds:
            raise InvalidTransition("printing needs at least one kind")
        self._advance(State.SHOWING)
        self.print_kinds = kinds

    def printed(self) -> None:
        self._advance(State.PRINTING)
        # The report is on paper now; nothing on screen needs it any more.
        self._forget_personal_data()

    def fail(self, reason: FailureReason, code: str = "") -> None:
        """Any state → FAILED; personal data goes at once, only the reason stays."""
        if self.state is State.FAILED:
            return
        self.failure = Failure(reason, self.state, code)
        self._forget_personal_data()
        self._enter(State.FAILED)

    def touch(self) -> None:
        """The resident touched the report: restart the idle countdown."""
        if self.state is State.SHOWING:
            self._enter(State.SHOWING)

    def expire(self) -> bool:
        """Apply the current state's deadline. Returns True if the state changed.

        Waiting screens (DONE, FAILED) and an idle report go back to IDLE; a state that
        was waiting on a device or the platform fails with TIMEOUT.
        """
        if self.deadline is None or self._clock() < self.deadline:
            return False
        if self.state in (State.DONE, State.FAILED, State.SHOWING):
            self.wipe()
        else:
            self.fail(FailureReason.TIMEOUT)
        return True

    def wipe(self) -> None:
        """End the session: forget everything personal and return to IDLE."""
        self._forget_personal_data()
        self.failure = None
        self.print_kinds = frozenset()
        self.face_attempt = 0
        self._enter(State.IDLE)

    def _forget_personal_data(self) -> None:
        self.card = None
        self.token = None
        self.report = None

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - self._clock())

    def view(self) -> SessionView:
        return SessionView(
            number=self.number,
            state=self.state,
            deadline=self.deadline,
            failure=self.failure,
            report=self.report,
            holder_name=self.card.name if self.card else "",
            print_kinds=self.print_kinds,
            face_attempt=self.face_attempt,
        )
