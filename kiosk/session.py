"""One resident's session as a plain state machine (no Qt, no I/O, no threads).

IDLE → READING → CONSENT → AUTHENTICATING → [FACE_CHECK] → [ENTERPRISE_CODE] → FETCHING →
SHOWING → PRINTING → DONE, with FAILED reachable from every state. FACE_CHECK (人证核验)
comes where the terminal checks faces; ENTERPRISE_CODE (the code typed) where the resident
chose the enterprise report (legal representative). Each state has a deadline; ``expire()``
applies it. Every way back to IDLE goes through ``wipe()``, which drops the card, the token
and the report.
The owner (``kiosk.terminal``) calls this from a single thread.

Where the resident reads (CONSENT, SHOWING) two things hold the state without leaving it:
an idle deadline first asks "还需要更多时间吗？" (``asking``; a touch continues, the prompt's
own deadline wipes), and a card lifted off the reader leaves a short grace period
(``card_away``) in which the same card laid back continues the session.
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
    CONSENT = "consent"
    AUTHENTICATING = "authenticating"
    FACE_CHECK = "face_check"
    FETCHING = "fetching"
    ENTERPRISE_CODE = "enterprise_code"
    """The resident types the enterprise's 统一社会信用代码 (after authentication)."""
    SHOWING = "showing"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"
    PRINT_PAUSED = "print_paused"
    """A print stopped for paper out: the report is kept until staff load paper (access)."""


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
    SESSION_EXPIRED = "session_expired"
    """The resident session token expired again right after being renewed."""
    NOT_LEGAL_REPRESENTATIVE = "not_legal_representative"
    ENTERPRISE_NOT_FOUND = "enterprise_not_found"
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
    State.READING: State.CONSENT,
    State.CONSENT: State.AUTHENTICATING,
    State.AUTHENTICATING: State.FETCHING,
    State.FETCHING: State.SHOWING,
    State.SHOWING: State.PRINTING,
    State.PRINTING: State.DONE,
}
RESIDENT_READS = frozenset({State.CONSENT, State.ENTERPRISE_CODE, State.SHOWING})
"""States where the resident reads and decides: idleness asks before it wipes, and a card
lifted off the reader may be laid back."""
STILL_THERE_S = 30.0
CARD_GRACE_S = 5.0


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
    enterprise: bool = False
    """The resident asked for an enterprise's report (as its legal representative)."""
    print_kinds: frozenset[PrintKind] = frozenset()
    printable: frozenset[PrintKind] = frozenset(PrintKind)
    """What the print choice may offer: printers whose last health check was ok (the
    terminal fills it in; the session knows nothing of devices)."""
    in_service: bool = True
    """False while a supervised loop keeps failing: the screen says 暂停服务 (the terminal)."""
    asking: bool = False
    """The resident was idle: "还需要更多时间吗？" until ``deadline``, then the session ends."""
    card_away: bool = False
    """The card was lifted: laid back before ``deadline`` the session goes on."""
    card_on_reader: bool = False
    """A card lies on the reader (the terminal fills it in): in IDLE, 请取走身份证."""
    elder: bool = False
    """长辈模式: larger text, voice on, longer time limits; ends with the session."""
    a4_pages: int | None = None
    """Pages of the A4 report rendered ahead for the print choice (the terminal); None until
    rendered."""
    face_check: bool = False
    """This terminal checks the face before the report (config on and the camera healthy;
    the terminal fills it in). False: the consent step says identity is checked by the card
    only."""
    face_attempt: int = 0
    """In FACE_CHECK: 0 while the face consent is asked, then the attempt under way."""

    def __repr__(self) -> str:
        return f"SessionView(#{self.number}, {self.state.value})"


@dataclass(frozen=True)
class _Limits:
    timeouts: Mapping[State, float]
    still_there_s: float
    card_grace_s: float


class Session:
    def __init__(
        self,
        timeouts: Mapping[State, float],
        clock: Callable[[], float] = time.monotonic,
        *,
        still_there_s: float = STILL_THERE_S,
        card_grace_s: float = CARD_GRACE_S,
    ) -> None:
        """``still_there_s``: how long "还需要更多时间吗？" waits; ``card_grace_s``: how long a
        lifted card may take to come back."""
        self._clock = clock
        self._limits: dict[bool, _Limits] = {}
        self.use_timeouts(timeouts, still_there_s=still_there_s, card_grace_s=card_grace_s)
        self.elder = False
        """长辈模式 (its own limits, ``use_timeouts(elder=True)``); it ends with the session."""
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
        self.enterprise = False
        """This session is for an enterprise's report: ENTERPRISE_CODE follows authentication."""
        self.uscc = ""
        """The enterprise's code once typed (public registration data; wiped all the same)."""
        self.asking = False
        self.card_away = False

    def use_timeouts(
        self,
        timeouts: Mapping[State, float],
        *,
        still_there_s: float,
        card_grace_s: float,
        elder: bool = False,
    ) -> None:
        """Set the limits, or with ``elder`` those of 长辈模式 (the normal ones until set);
        the current deadline stays."""
        missing = set(State) - {State.IDLE} - set(timeouts)
        if missing:
            raise ValueError(f"no timeout for {sorted(s.value for s in missing)}")
        self._limits[elder] = _Limits(dict(timeouts), still_there_s, card_grace_s)
        if not elder:
            self._limits.setdefault(True, self._limits[False])

    @property
    def _now(self) -> _Limits:
        return self._limits[self.elder]

    # --- transitions along the one path ---
    def _advance(self, expected: State) -> None:
        if self.state is not expected:
            raise InvalidTransition(f"cannot leave {self.state.value} as if {expected.value}")
        self._enter(_NEXT[expected])

    def _enter(self, state: State) -> None:
        self.state = state
        self.asking = False
        self.card_away = False
        self.deadline = None if state is State.IDLE else self._clock() + self._now.timeouts[state]

    def start_reading(self, enterprise: bool = False) -> int:
        """A card was laid on the reader: a new session begins. Returns its number.
        ``enterprise``: the resident chose the enterprise report before laying the card."""
        self._advance(State.IDLE)
        self.number += 1
        self.enterprise = enterprise
        return self.number

    def card_read(self, card: IdentityCard) -> None:
        self._advance(State.READING)
        self.card = card

    def consent_given(self) -> None:
        """同意: the platform may now be asked about this person."""
        if self.card_away:
            raise InvalidTransition("consent while the card is off the reader")
        self._advance(State.CONSENT)

    def consent_refused(self) -> None:
        """不同意: the session ends; nothing about the person leaves the terminal."""
        if self.state is not State.CONSENT:
            raise InvalidTransition(f"cannot refuse consent in {self.state.value}")
        self.wipe()

    def authenticated(self, token: str, face_check: bool = False) -> None:
        """``face_check``: this terminal checks the face (人证核验) before the report, so
        FACE_CHECK (its consent first) comes next; then, for an enterprise report,
        ENTERPRISE_CODE; else FETCHING."""
        self._advance(State.AUTHENTICATING)
        self.token = token
        if face_check:
            self.face_attempt = 0
            self._enter(State.FACE_CHECK)
        elif self.enterprise:
            self._enter(State.ENTERPRISE_CODE)

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
        self._enter(State.ENTERPRISE_CODE if self.enterprise else State.FETCHING)

    def face_check_skipped(self) -> None:
        """The camera failed during the check: identity rests on the card, as on a terminal
        without a camera; on to the report."""
        if self.state is not State.FACE_CHECK:
            raise InvalidTransition(f"no face check to skip in {self.state.value}")
        self._enter(State.ENTERPRISE_CODE if self.enterprise else State.FETCHING)

    def enterprise_code_entered(self, uscc: str) -> None:
        """The resident confirmed a code (checked by the caller, ``kiosk.uscc``) → FETCHING."""
        if self.state is not State.ENTERPRISE_CODE:
            raise InvalidTransition(f"no enterprise code is asked for in {self.state.value}")
        self.uscc = uscc
        self._enter(State.FETCHING)

    def token_renewed(self, token: str) -> None:
        """The platform gave this session a new token after the last one expired."""
        self.token = token

    def report_received(self, report: CreditReport) -> None:
        self._advance(State.FETCHING)
        self.report = report

    def start_printing(self, kinds: frozenset[PrintKind]) -> None:
        if not kinds:
            raise InvalidTransition("printing needs at least one kind")
        if self.card_away:
            raise InvalidTransition("printing while the card is off the reader")
        self._advance(State.SHOWING)
        self.print_kinds = kinds

    def printed(self) -> None:
        self._advance(State.PRINTING)
        # The report is on paper now; nothing on screen needs it any more.
        self._forget_personal_data()

    # --- access: 长辈模式, and a print paused for paper out ---
    def set_elder(self, on: bool) -> None:
        """长辈模式 on or off; the current deadline is stretched (or shrunk) at once."""
        self.elder = on
        if self.state is not State.IDLE:
            self._enter(self.state)

    def print_paused(self, kinds: frozenset[PrintKind]) -> None:
        """PRINTING → PRINT_PAUSED: ``kinds`` did not print for paper out and will resume."""
        if self.state is not State.PRINTING or not kinds:
            raise InvalidTransition(f"cannot pause a print in {self.state.value}")
        self.print_kinds = kinds
        self._enter(State.PRINT_PAUSED)

    def print_resumed(self) -> None:
        """PRINT_PAUSED → PRINTING, the same report, the kinds still to print."""
        if self.state is not State.PRINT_PAUSED:
            raise InvalidTransition(f"cannot resume a print in {self.state.value}")
        self._enter(State.PRINTING)

    def fail(self, reason: FailureReason, code: str = "") -> None:
        """Any state → FAILED; personal data goes at once, only the reason stays."""
        if self.state is State.FAILED:
            return
        self.failure = Failure(reason, self.state, code)
        self._forget_personal_data()
        self._enter(State.FAILED)

    def touch(self) -> None:
        """The resident touched the screen (or answered 需要): restart the idle countdown.
        A touch does not stand in for a card that was lifted."""
        if self.state in RESIDENT_READS and not self.card_away:
            self._enter(self.state)

    def card_lifted(self) -> bool:
        """The card left the reader. Where the resident reads, a grace period begins (True);
        elsewhere the caller decides (False)."""
        if self.state not in RESIDENT_READS:
            return False
        if not self.card_away:
            self.asking = False
            self.card_away = True
            self.deadline = self._clock() + self._now.card_grace_s
        return True

    def card_returned(self) -> None:
        """The same card is back within the grace period: the session goes on."""
        if not self.card_away:
            raise InvalidTransition(f"no card is awaited in {self.state.value}")
        self._enter(self.state)

    def expire(self) -> bool:
        """Apply the current state's deadline. Returns True if anything changed.

        An idle resident is asked first; waiting screens (DONE, FAILED), a prompt nobody
        answered and a card not laid back go back to IDLE; a state that was waiting on a
        device or the platform fails with TIMEOUT.
        """
        if self.deadline is None or self._clock() < self.deadline:
            return False
        if self.state in RESIDENT_READS and not (self.asking or self.card_away):
            self.asking = True
            self.deadline = self._clock() + self._now.still_there_s
        elif self.state in (State.DONE, State.FAILED, State.PRINT_PAUSED, *RESIDENT_READS):
            self.wipe()
        else:
            self.fail(FailureReason.TIMEOUT)
        return True

    def wipe(self) -> None:
        """End the session: forget everything personal and return to IDLE."""
        self._forget_personal_data()
        self.failure = None
        self.print_kinds = frozenset()
        self.enterprise = False
        self.uscc = ""
        self.elder = False  # the next resident starts in normal mode
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
            enterprise=self.enterprise,
            print_kinds=self.print_kinds,
            asking=self.asking,
            card_away=self.card_away,
            elder=self.elder,
            face_attempt=self.face_attempt,
        )
