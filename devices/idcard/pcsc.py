"""Identity cards through PC/SC readers with a security module (pcscd, pyscard).

Card events come from ``SCardGetStatusChange`` on the caller's thread (no monitor threads to
die silently). Every call looks the readers up again by the configured name pattern, and a
card connection lives only for one read. What the reader is told to do comes from a reader
profile (``devices.idcard.profile``); the dialogue itself from ``devices.idcard.apdu``.

Supervision, for a kiosk that runs for months:

- pcscd gone (``SCARD_E_NO_SERVICE``, restarted, killed) or no matching reader (unplugged):
  the context is released and re-established on the next call, every ``retry_s``. Each outage
  raises ``Offline``/``NotFound`` once, so the owner records one fault, and ``open()`` during
  an outage that has been reported returns quietly (``state`` is ``OFFLINE``); while it lasts
  ``wait_for_card_event`` returns None. When the reader is back the next card is read.
- An outage counts as the card leaving (we can no longer vouch for it): a pending REMOVED is
  reported, and a card still on the reader afterwards is reported as INSERTED again.
- A card swapped between two polls shows in the reader's event counter: REMOVED, INSERTED.
- Several readers may match the pattern; events come from all of them and ``read_card``
  reads the one a card was laid on last.

Options: ``PcscOptions`` (``[card_reader.options]``).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from devices.base import (
    Busy,
    DeviceError,
    DeviceState,
    HealthLevel,
    HealthReport,
    NotFound,
    Offline,
)
from devices.idcard.apdu import IdentityData, IdentityRead, NoSecurityModule, Transmit
from devices.idcard.card import CardMoved, IdentityCard
from devices.idcard.photo import PhotoDecoder, photo_decoder
from devices.idcard.profile import DEFAULT_PROFILE, ProfileError, ReaderProfile, load_profile
from devices.idcard.reader import CardEvent, IdCardReader
from devices.idcard.text_block import parse_text_block
from devices.options import option_error, require_positive

log = logging.getLogger(__name__)

# PC/SC return codes and reader states (winscard.h), so nothing imports pyscard at load time.
S_SUCCESS = 0
E_CANCELLED = 0x80100002
E_INVALID_HANDLE = 0x80100003
E_UNKNOWN_READER = 0x80100009
E_TIMEOUT = 0x8010000A
E_SHARING_VIOLATION = 0x8010000B
E_NO_SMARTCARD = 0x8010000C
F_COMM_ERROR = 0x80100013
E_NOT_TRANSACTED = 0x80100016
E_READER_UNAVAILABLE = 0x80100017
E_NO_SERVICE = 0x8010001D
E_SERVICE_STOPPED = 0x8010001E
E_NO_READERS_AVAILABLE = 0x8010002E
E_COMM_DATA_LOST = 0x8010002F
W_UNRESPONSIVE_CARD = 0x80100066
W_UNPOWERED_CARD = 0x80100067
W_RESET_CARD = 0x80100068
W_REMOVED_CARD = 0x80100069
STATE_UNAWARE = 0x0
STATE_CHANGED = 0x2
STATE_UNKNOWN = 0x4
STATE_UNAVAILABLE = 0x8
STATE_PRESENT = 0x20
SCOPE_USER = 0
SHARE_EXCLUSIVE = 1
PROTOCOL_ANY = 0x1 | 0x2  # T=0 or T=1
LEAVE_CARD = 0

_SERVICE_GONE = {E_NO_SERVICE, E_SERVICE_STOPPED, E_INVALID_HANDLE, F_COMM_ERROR}
_READER_GONE = {E_UNKNOWN_READER, E_READER_UNAVAILABLE, E_NO_READERS_AVAILABLE}
_CARD_GONE = {
    E_NO_SMARTCARD,
    E_NOT_TRANSACTED,
    E_COMM_DATA_LOST,
    W_UNRESPONSIVE_CARD,
    W_UNPOWERED_CARD,
    W_RESET_CARD,
    W_REMOVED_CARD,
}
_PCSCD_HINT = "check that pcscd runs (systemctl status pcscd.socket)"


def _scard() -> Any:
    from smartcard import scard  # optional library: imported only when the driver runs

    return scard


def is_usable() -> tuple[bool, str]:
    try:
        scard = _scard()
    except ImportError:
        return False, "pyscard is not installed (the 'hardware' extra)"
    rc, context = scard.SCardEstablishContext(SCOPE_USER)
    if rc & 0xFFFFFFFF != S_SUCCESS:
        return False, f"pcscd is not reachable: {scard.SCardGetErrorMessage(rc)}"
    scard.SCardReleaseContext(context)
    return True, "pyscard and pcscd available"


class _Outage(Exception):
    """pcscd or the reader went away; carries the error to report once."""

    def __init__(self, error: DeviceError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class PcscOptions:
    """``[card_reader.options]`` for ``driver = "pcsc"``."""

    reader: str = ""
    """Regular expression searched in reader names, case-insensitive; empty: any reader."""
    profile: str = DEFAULT_PROFILE
    """Reader profile: a shipped profile name (``devices/idcard/profiles/``) or a JSON path."""
    wlt_decoder: str = ""
    """Path of the vendor's WLT photo library; empty: a neutral placeholder photo."""
    retry_s: float = 0.25
    """Seconds between reconnection attempts while pcscd or the reader is away."""

    def __post_init__(self) -> None:
        try:
            re.compile(self.reader)
        except re.error as error:
            raise option_error("reader", f"not a regular expression ({error})") from None
        try:
            load_profile(self.profile)
        except ProfileError as error:
            raise option_error("profile", error) from None
        require_positive(self, "retry_s")


class PcscReader(IdCardReader):
    options_type: ClassVar[type[PcscOptions]] = PcscOptions

    def __init__(
        self,
        reader: str = "",
        profile: ReaderProfile | None = None,
        decoder: PhotoDecoder | None = None,
        retry_s: float = 0.25,
    ) -> None:
        self.reader_pattern = reader
        self._pattern = re.compile(reader, re.IGNORECASE)
        self.profile = profile or load_profile(DEFAULT_PROFILE)
        self.photo_decoder: PhotoDecoder = decoder or photo_decoder(None)
        self.retry_s = retry_s
        self._context: int | None = None
        self._known: dict[str, int] = {}
        """Each reader's last event state, handed back to SCardGetStatusChange."""
        self._present: dict[str, None] = {}
        """Readers with a card on them, in the order the cards were laid."""
        self._pending: collections.deque[CardEvent] = collections.deque()
        self._outage: str | None = None
        """Why the reader is unavailable, once that has been reported; None when it is fine."""

    @classmethod
    def from_options(cls, options: PcscOptions) -> PcscReader:
        """Raises NotFound when the WLT decoder library cannot be loaded."""
        return cls(
            reader=options.reader,
            profile=load_profile(options.profile),
            decoder=photo_decoder(options.wlt_decoder or None),
            retry_s=options.retry_s,
        )

    # --- lifecycle ---
    def open(self) -> None:
        try:
            self._readers()
        except _Outage as outage:
            self._lose(outage)
            return
        self._recovered()

    def close(self) -> None:
        """Release the context. What is known about cards on readers stays (it is the world's
        state, not the handle's), so no removal is lost across close and open."""
        self._release()
        self.state = DeviceState.CLOSED

    # --- card events ---
    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        deadline = time.monotonic() + timeout
        while not self._pending:
            remaining = deadline - time.monotonic()
            try:
                readers = self._readers()
                self._forget_vanished(readers)
                states = [(name, self._known.get(name, STATE_UNAWARE)) for name in readers]
                rc, changed = _scard().SCardGetStatusChange(
                    self._context, max(0, int(remaining * 1000)), states
                )
                rc &= 0xFFFFFFFF
                if rc in (E_TIMEOUT, E_CANCELLED):
                    return None
                self._check(rc, "watching the reader")
                self._recovered()
                for name, event, _atr in changed:
                    self._observe(name, event & 0xFFFFFFFF)
            except _Outage as outage:
                self._lose(outage)  # raises once per outage
                time.sleep(max(0.0, min(self.retry_s, deadline - time.monotonic())))
            if not self._pending and time.monotonic() >= deadline:
                return None
        return self._pending.popleft()

    def _forget_vanished(self, readers: list[str]) -> None:
        """A reader that left the list between two polls took its card with it."""
        for name in [n for n in self._known if n not in readers]:
            del self._known[name]
        for name in [n for n in self._present if n not in readers]:
            del self._present[name]
            self._pending.append(CardEvent.REMOVED)

    def _observe(self, name: str, event: int) -> None:
        before = self._known.get(name)
        self._known[name] = event & ~STATE_CHANGED
        gone = event & (STATE_UNKNOWN | STATE_UNAVAILABLE)
        present = bool(event & STATE_PRESENT) and not gone
        if gone:
            self._known.pop(name, None)
        was = name in self._present
        swapped = was and present and before is not None and (before >> 16) != (event >> 16)
        if was and (not present or swapped):
            del self._present[name]
            self._pending.append(CardEvent.REMOVED)
        if present and name not in self._present:
            self._present[name] = None
            self._pending.append(CardEvent.INSERTED)

    # --- the read ---
    def read_card(self, timeout: float) -> IdentityCard:
        deadline = time.monotonic() + timeout
        if self._outage is not None:
            raise Offline(f"the reader is unavailable: {self._outage}", _PCSCD_HINT)
        self.state = DeviceState.BUSY
        try:
            data = self._read(self._reader_with_card(), deadline)
        except _Outage as outage:
            self._lose(outage)  # raises the first time
            raise outage.error from None
        finally:
            if self.state is DeviceState.BUSY:
                self.state = DeviceState.IDLE
        return parse_text_block(data.text, data.photo)

    def _reader_with_card(self) -> str:
        readers = self._readers()
        for name in reversed(self._present):
            if name in readers:
                return name
        states = [(name, STATE_UNAWARE) for name in readers]
        rc, current = _scard().SCardGetStatusChange(self._context, 0, states)
        self._check(rc & 0xFFFFFFFF, "looking for the card")
        for name, event, _atr in current:
            if event & STATE_PRESENT:
                return str(name)
        raise NotFound("no card on the reader", "lay the identity card on the reader")

    def _read(self, reader: str, deadline: float) -> IdentityData:
        with self._connected(reader) as transmit:
            return IdentityRead(self.profile, transmit, deadline).run()

    @contextlib.contextmanager
    def _connected(self, reader: str) -> Iterator[Transmit]:
        """A card connection for one read only: never kept across reads."""
        scard = _scard()
        rc, card, protocol = scard.SCardConnect(
            self._context, reader, SHARE_EXCLUSIVE, PROTOCOL_ANY
        )
        rc &= 0xFFFFFFFF
        if rc == E_SHARING_VIOLATION:
            raise Busy("another program is using the reader", "close other card software")
        if rc == E_NO_SMARTCARD:
            raise NotFound("no card on the reader", "lay the identity card on the reader")
        self._check(rc, "connecting to the card")

        def transmit(command: bytes) -> bytes:
            rc, response = scard.SCardTransmit(card, protocol, list(command))
            self._check(rc & 0xFFFFFFFF, "talking to the card")
            return bytes(response)

        try:
            yield transmit
        finally:
            scard.SCardDisconnect(card, LEAVE_CARD)

    # --- health ---
    def check_health(self, level: HealthLevel) -> HealthReport:
        details = {"profile": self.profile.name, "pattern": self.reader_pattern or "(any)"}
        try:
            readers = self._readers()
        except _Outage as outage:
            self._release()
            return HealthReport(False, outage.error.message, details)
        details["readers"] = ", ".join(readers)
        if level is HealthLevel.INTERNAL:
            return HealthReport(True, f"{len(readers)} reader(s) found", details)
        try:
            reader = self._reader_with_card()
            self._probe(reader)
        except NoSecurityModule as error:
            return HealthReport(False, error.message, details)
        except (DeviceError, _Outage) as error:
            return HealthReport(False, str(error), details)
        return HealthReport(True, "the reader's security module answers", details)

    def _probe(self, reader: str) -> None:
        """SELECT only: proves the security module answers without reading personal data."""
        with self._connected(reader) as transmit:
            IdentityRead(self.profile, transmit, time.monotonic() + 5.0).select()

    # --- context and readers, looked up again on every call ---
    def _readers(self) -> list[str]:
        scard = _scard()
        if self._context is None:
            rc, context = scard.SCardEstablishContext(SCOPE_USER)
            if rc & 0xFFFFFFFF != S_SUCCESS:
                raise _Outage(Offline("pcscd is not running", _PCSCD_HINT))
            self._context = context
        rc, names = scard.SCardListReaders(self._context, [])
        rc &= 0xFFFFFFFF
        if rc == E_NO_READERS_AVAILABLE:
            names = []
        else:
            self._check(rc, "listing readers")
        matching = [str(n) for n in names if self._pattern.search(n)]
        if not matching:
            seen = ", ".join(names) or "none"
            raise _Outage(
                NotFound(
                    f"no card reader matches {self.reader_pattern!r}",
                    f"check the reader's USB cable; readers seen: {seen}",
                )
            )
        return matching

    def _check(self, rc: int, doing: str) -> None:
        if rc == S_SUCCESS:
            return
        message = _scard().SCardGetErrorMessage(rc)
        if rc in _SERVICE_GONE:
            raise _Outage(Offline(f"pcscd went away while {doing}: {message}", _PCSCD_HINT))
        if rc in _READER_GONE:
            raise _Outage(NotFound(f"the reader went away while {doing}", "check the USB cable"))
        if rc in _CARD_GONE:
            raise CardMoved(f"the card left the reader while {doing}: {message}")
        raise DeviceError(f"PC/SC error while {doing}: {message} ({rc:#x})", _PCSCD_HINT)

    def _lose(self, outage: _Outage) -> None:
        self._release()
        self._known.clear()
        if self._present:
            self._present.clear()
            self._pending.append(CardEvent.REMOVED)
        self.state = DeviceState.OFFLINE
        if self._outage is None:
            self._outage = outage.error.message
            log.warning("card reader unavailable: %s", outage.error.message)
            raise outage.error

    def _recovered(self) -> None:
        if self._outage is not None:
            log.info("card reader available again")
            self._outage = None
        self.state = DeviceState.IDLE

    def _release(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            _scard().SCardReleaseContext(context)
