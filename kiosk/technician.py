"""Technician mode, entering and leaving it: the hidden gesture, the PIN, the lockout and the
idle timeout (no Qt; the screens are ``ui.screens.technician*``).

Five taps in the window's top-left corner within three seconds open the PIN pad, unless a
resident's session holds personal data. The PIN is checked against a salted scrypt hash from
the config (``technician.pin_hash``; ``taihaoban-kiosk technician-pin`` makes one). Five
wrong PINs lock the mode for five minutes; the count and the lock live in a small file in
the state directory, so a restart does not reset them. Open, the mode leaves by itself after
``technician.idle_timeout_s`` without a touch. Every entry, wrong PIN, lockout, action and
exit is handed to ``record`` (the terminal queues it as a ``technician_action``).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TAPS = 5
TAPS_WITHIN_S = 3.0
CORNER_PX = 120
"""The gesture's corner: a square this many pixels wide at the window's top-left."""
MAX_WRONG_PINS = 5
LOCKOUT_S = 300.0
LOCK_FILE = "technician-lock.json"

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""~0.2 s and 32 MiB per check here: slow for whoever has a copy of the config, quick enough
for a technician; stored with each hash, so stronger ones can follow."""
PIN_HASH_FORMAT = re.compile(
    r"scrypt\$(?P<n>[0-9]{1,8})\$(?P<r>[0-9]{1,3})\$(?P<p>[0-9]{1,3})"
    r"\$(?P<salt>[0-9a-f]{32})\$(?P<hash>[0-9a-f]{64})"
)
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
PIN_FORMAT = re.compile(r"[0-9]{6,12}")


# --- the PIN as stored in the config ---
@dataclass(frozen=True)
class PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def memory(self) -> int:
        """Bytes scrypt needs for these parameters (OpenSSL refuses beyond ``maxmem``)."""
        return 128 * self.r * (self.n + self.p + 2)

    def __str__(self) -> str:
        return f"scrypt${self.n}${self.r}${self.p}${self.salt.hex()}${self.digest.hex()}"


def parse_pin_hash(text: str) -> PinHash:
    """``scrypt$n$r$p$salt$hash`` (salt 16 bytes, hash 32 bytes, hex); ValueError says why not."""
    match = PIN_HASH_FORMAT.fullmatch(text)
    if match is None:
        raise ValueError("not a PIN hash (scrypt$n$r$p$salt$hash; taihaoban-kiosk technician-pin)")
    n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
    if n < 2 or n & (n - 1) or not r or not p:
        raise ValueError("scrypt n must be a power of two, r and p at least 1")
    pin_hash = PinHash(n, r, p, bytes.fromhex(match["salt"]), bytes.fromhex(match["hash"]))
    if pin_hash.memory() > MAX_SCRYPT_MEMORY:
        raise ValueError("scrypt parameters need more than 256 MiB")
    return pin_hash


def _scrypt(pin: str, n: int, r: int, p: int, salt: bytes) -> bytes:
    memory = 128 * r * (n + p + 2)
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=memory + 1024 * 1024
    )


def hash_pin(pin: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """The config line's value for ``pin`` (6 to 12 digits), with a fresh salt."""
    if PIN_FORMAT.fullmatch(pin) is None:
        raise ValueError("a technician PIN is 6 to 12 digits")
    salt = secrets.token_bytes(16)
    return str(PinHash(n, r, p, salt, _scrypt(pin, n, r, p, salt)))


def pin_matches(pin: str, stored: PinHash) -> bool:
    if PIN_FORMAT.fullmatch(pin) is None:
        return False
    digest = _scrypt(pin, stored.n, stored.r, stored.p, stored.salt)
    return hmac.compare_digest(digest, stored.digest)


# --- the gesture ---
class CornerTaps:
    """Counts taps in the top-left corner; ``tap`` says True on the fifth within 3 s.
    A tap elsewhere starts the count over."""

    def __init__(self) -> None:
        self._times: list[float] = []

    def tap(self, x: float, y: float, now: float) -> bool:
        if x > CORNER_PX or y > CORNER_PX:
            self._times = []
            return False
        self._times = [t for t in self._times if now - t <= TAPS_WITHIN_S] + [now]
        if len(self._times) < TAPS:
            return False
        self._times = []
        return True


# --- wrong PINs and the lockout, kept across restarts ---
class PinLockout:
    """Wrong PINs in a row and the end of the lockout, in ``<state_dir>/technician-lock.json``
    (counts and a time only). Wall-clock time, so the lock outlasts a restart; a clock set
    back never lengthens it beyond ``LOCKOUT_S``."""

    def __init__(self, state_dir: Path, wall_clock: Callable[[], float] = time.time) -> None:
        self._path = state_dir / LOCK_FILE
        self._clock = wall_clock
        self._lock = threading.Lock()
        self._wrong, self._locked_until = self._load()

    def _load(self) -> tuple[int, float]:
        try:
            data = json.loads(self._path.read_text(encoding="ascii"))
            return int(data["wrong_pins"]), float(data["locked_until"])
        except FileNotFoundError:
            return 0, 0.0
        except (OSError, ValueError, KeyError, TypeError):
            # What cannot be read cannot prove the PIN was not being guessed: lock.
            log.warning("%s unreadable: technician mode locked for %g s", self._path, LOCKOUT_S)
            return 0, self._clock() + LOCKOUT_S

    def _save(self) -> None:
        data = json.dumps({"wrong_pins": self._wrong, "locked_until": self._locked_until})
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".technician-lock-", dir=self._path.parent)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            os.unlink(tmp)
            raise
        directory = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def locked_for(self) -> float:
        """Seconds the lockout still lasts; 0 when the PIN may be tried."""
        with self._lock:
            return min(LOCKOUT_S, max(0.0, self._locked_until - self._clock()))

    def wrong_pin(self) -> int:
        """Count a wrong PIN; returns the tries left before the lock (0: locked now)."""
        with self._lock:
            self._wrong += 1
            left = MAX_WRONG_PINS - self._wrong
            if left <= 0:
                self._wrong, self._locked_until = 0, self._clock() + LOCKOUT_S
            self._save()
            return max(0, left)

    def right_pin(self) -> None:
        with self._lock:
            if self._wrong or self._locked_until:
                self._wrong, self._locked_until = 0, 0.0
                self._save()


# --- the mode itself ---
class Phase(enum.Enum):
    CLOSED = "closed"
    PIN = "pin"
    OPEN = "open"


class Gate(enum.Enum):
    """What the gesture leads to."""

    PIN_PAD = "pin_pad"
    OPEN = "open"
    """Technician mode is open already: nothing to do."""
    RESIDENT_PRESENT = "resident_present"
    LOCKED = "locked"
    NO_PIN_CONFIGURED = "no_pin_configured"


class PinResult(enum.Enum):
    ENTERED = "entered"
    WRONG = "wrong"
    LOCKED = "locked"
    RESIDENT_PRESENT = "resident_present"
    CLOSED = "closed"
    """The PIN pad was no longer open (it timed out meanwhile)."""


@dataclass(frozen=True)
class PinOutcome:
    result: PinResult
    tries_left: int = 0
    locked_for_s: float = 0.0


class TechnicianMode:
    """Whether technician mode is closed, asking for the PIN, or open; thread-safe.

    ``claim_terminal`` is asked when the right PIN is in: it returns False while a
    resident's session holds personal data, and otherwise keeps residents' cards unread until
    ``release_terminal``. ``record(action, detail)`` queues a technician action.
    """

    def __init__(
        self,
        pin_hash: str,
        lockout: PinLockout,
        idle_timeout_s: float,
        record: Callable[[str, str], None],
        claim_terminal: Callable[[], bool],
        release_terminal: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pin_hash = parse_pin_hash(pin_hash) if pin_hash else None
        self._lockout = lockout
        self.idle_timeout_s = idle_timeout_s
        self._record = record
        self._claim = claim_terminal
        self._release = release_terminal
        self._clock = clock
        self._lock = threading.Lock()
        self.phase = Phase.CLOSED
        self._idle_deadline = 0.0

    def gesture(self, resident_present: bool) -> Gate:
        """The corner was tapped five times: may the PIN pad open?"""
        with self._lock:
            if self.phase is not Phase.CLOSED:
                return Gate.PIN_PAD if self.phase is Phase.PIN else Gate.OPEN
            if resident_present:
                return Gate.RESIDENT_PRESENT
            if self._pin_hash is None:
                return Gate.NO_PIN_CONFIGURED
            if self._lockout.locked_for() > 0:
                return Gate.LOCKED
            self.phase = Phase.PIN
            self._touch()
            return Gate.PIN_PAD

    def submit_pin(self, pin: str) -> PinOutcome:
        """Check the PIN (a fraction of a second: call it off the GUI thread). On the right
        PIN the mode opens, if the terminal can be claimed."""
        with self._lock:
            stored = self._pin_hash
            if self.phase is not Phase.PIN or stored is None:
                return PinOutcome(PinResult.CLOSED)
            locked_for = self._lockout.locked_for()
            if locked_for > 0:
                self.phase = Phase.CLOSED
                return PinOutcome(PinResult.LOCKED, locked_for_s=locked_for)
        if not pin_matches(pin, stored):  # slow: outside the lock, the idle tick goes on
            return self._wrong_pin()
        self._lockout.right_pin()
        claimed = self._claim()
        with self._lock:
            if self.phase is not Phase.PIN:  # the pad closed meanwhile (idle)
                if claimed:
                    self._release()
                return PinOutcome(PinResult.CLOSED)
            if not claimed:
                self.phase = Phase.CLOSED
                return PinOutcome(PinResult.RESIDENT_PRESENT)
            self.phase = Phase.OPEN
            self._touch()
            log.info("technician mode entered")
            self._record("entered", "")
            return PinOutcome(PinResult.ENTERED)

    def _wrong_pin(self) -> PinOutcome:
        left = self._lockout.wrong_pin()
        with self._lock:
            self._record("pin_wrong", f"{left} tries left")
            if left:
                self._touch()
                return PinOutcome(PinResult.WRONG, tries_left=left)
            self.phase = Phase.CLOSED
            log.warning("technician mode locked for %g s after wrong PINs", LOCKOUT_S)
            self._record("locked_out", f"{MAX_WRONG_PINS} wrong PINs: locked {LOCKOUT_S:g} s")
            return PinOutcome(PinResult.LOCKED, locked_for_s=LOCKOUT_S)

    def cancel_pin(self) -> None:
        """The PIN pad was closed (取消, a resident's card, or idle)."""
        with self._lock:
            if self.phase is Phase.PIN:
                self.phase = Phase.CLOSED

    def touch(self) -> None:
        with self._lock:
            self._touch()

    def _touch(self) -> None:
        self._idle_deadline = self._clock() + self.idle_timeout_s

    def locked_for(self) -> float:
        """Seconds the PIN lockout still lasts (0: none)."""
        return self._lockout.locked_for()

    def idle_left(self) -> float:
        return max(0.0, self._idle_deadline - self._clock())

    def act(self, action: str, detail: str = "") -> None:
        """Record what the technician did (and count it as a touch)."""
        with self._lock:
            self._touch()
            if self.phase is Phase.OPEN:
                self._record(action, detail)

    def expire(self) -> bool:
        """Close the PIN pad or leave the mode after the idle timeout; True if it did."""
        with self._lock:
            if self.phase is Phase.CLOSED or self._clock() < self._idle_deadline:
                return False
            self._close("left_idle")
            return True

    def leave(self) -> None:
        """退出."""
        with self._lock:
            self._close("left")

    def _close(self, action: str) -> None:
        was_open = self.phase is Phase.OPEN
        self.phase = Phase.CLOSED
        if was_open:
            self._release()
            log.info("technician mode %s", action.replace("_", " "))
            self._record(action, "")
