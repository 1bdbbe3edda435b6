"""Identity cards through readers driven by the vendor's ``sdtapi`` library (ctypes).

Many deployed readers are USB-HID or serial devices with their own library:
``SDT_StartFindIDCard`` (0x9F a card is there, 0x80 none), ``SDT_SelectIDCard`` (0x90) and
``SDT_ReadBaseMsg(port, text[256], &len, photo[1024], &len, 1)`` (0x90). The last argument
(``iIfOpen`` = 1) makes each call open and close the port itself, so no connection outlives
a call. Other return codes are the GA/T 467 security-module codes (``_CODES``).

There are no card events in this API: ``wait_for_card_event`` polls the find call. After a
successful read the chip halts and many readers then answer "no card" although it is still
there, so after a read "no card" alone does not count as removal: the next card found after
a "no card" does (REMOVED, then INSERTED). On a reader that keeps finding the card it has
read, removal is reported as usual.

As with every driver, a port that cannot be opened raises ``Offline`` once per outage and is
retried on every poll; ``open()`` during a reported outage returns quietly.

Options: ``SdtapiOptions`` (``[card_reader.options]``).
"""

from __future__ import annotations

import ctypes
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from devices.base import DeviceError, DeviceState, HealthLevel, HealthReport, NotFound, Offline
from devices.base import Timeout as ReadTimeout
from devices.idcard.apdu import SecurityModuleFault
from devices.idcard.card import CardMoved, GarbledCard, IdentityCard, NotAnIdCard
from devices.idcard.photo import PhotoDecoder, photo_decoder
from devices.idcard.reader import CardEvent, IdCardReader
from devices.idcard.text_block import TEXT_BLOCK_SIZE, parse_text_block
from devices.options import require_positive

log = logging.getLogger(__name__)

SUCCESS = 0x90
FOUND = 0x9F
NOT_FOUND = 0x80
PHOTO_SIZE = 1024
_PORT_HINT = "check the reader's cable and the 'port' option (1-16 serial, 1001-1016 USB)"

_CODES: dict[int, tuple[Callable[[str, str], DeviceError], str, str]] = {
    0x01: (Offline, "the reader's port cannot be opened", _PORT_HINT),
    0x02: (ReadTimeout, "the reader did not answer in time", _PORT_HINT),
    0x03: (DeviceError, "data transfer to the reader failed", _PORT_HINT),
    0x05: (Offline, "the reader's serial port is not usable", _PORT_HINT),
    0x10: (DeviceError, "the reader's reply failed its checksum", _PORT_HINT),
    0x11: (DeviceError, "the reader's reply had the wrong length", _PORT_HINT),
    0x21: (DeviceError, "the reader refused the command", "update the vendor library"),
    0x23: (DeviceError, "the reader refused an unauthorised operation", ""),
    0x24: (DeviceError, "the reader reported an unrecognised error", "power-cycle the reader"),
    0x31: (GarbledCard, "the card did not authenticate the reader", ""),
    0x32: (GarbledCard, "the reader did not authenticate the card", ""),
    0x33: (GarbledCard, "the card's data failed verification", ""),
    0x40: (NotAnIdCard, "the card on the reader is not an identity card", ""),
    0x41: (CardMoved, "reading the card failed (card moved)", ""),
    0x47: (CardMoved, "the card gave no challenge (card moved)", ""),
    0x60: (SecurityModuleFault, "the security module failed its self-test", "service"),
    0x66: (SecurityModuleFault, "the security module is not authorised", "service"),
    0x80: (NotFound, "no card on the reader", "lay the identity card on the reader"),
    0x81: (CardMoved, "selecting the card failed (card moved)", ""),
    0x91: (GarbledCard, "the card holds no such data", ""),
}
_OUTAGES = {0x01, 0x02, 0x03, 0x05}


def is_usable() -> tuple[bool, str]:
    return True, "ctypes is built in; the vendor library is loaded by open()"


def _error(code: int, doing: str) -> DeviceError:
    kind, message, hint = _CODES.get(
        code, (DeviceError, "the reader returned an unknown code", "power-cycle the reader")
    )
    if hint == "service":
        hint = "power-cycle the reader; if it persists the security module needs service"
    return kind(f"{message} while {doing} (code {code:#04x})", hint)


SERIAL_PORTS = range(1, 17)
USB_PORTS = range(1001, 1017)


@dataclass(frozen=True)
class SdtapiOptions:
    """``[card_reader.options]`` for ``driver = "sdtapi"``."""

    library: str
    """Path of the vendor's sdtapi library (required)."""
    port: int = 1001
    """The reader's port as the library numbers it: 1-16 serial, 1001-1016 USB."""
    poll_interval_s: float = 0.1
    """Seconds between "is a card there" calls (the library has no card events)."""
    wlt_decoder: str = ""
    """Path of the vendor's WLT photo library; empty: a neutral placeholder photo."""

    def __post_init__(self) -> None:
        if not self.library:
            raise ValueError("library: the vendor library path is required")
        if self.port not in SERIAL_PORTS and self.port not in USB_PORTS:
            raise ValueError(f"port: must be 1-16 (serial) or 1001-1016 (USB), got {self.port}")
        require_positive(self, "poll_interval_s")


class SdtapiReader(IdCardReader):
    options_type: ClassVar[type[SdtapiOptions]] = SdtapiOptions

    def __init__(
        self,
        library: str,
        port: int = 1001,
        poll_interval_s: float = 0.1,
        decoder: PhotoDecoder | None = None,
    ) -> None:
        self.library_path = library
        self.port = port
        self.poll_interval_s = poll_interval_s
        self.photo_decoder: PhotoDecoder = decoder or photo_decoder(None)
        self._library: Any = None
        self._present = False
        self._after_read = False
        """The last card was read; it may have halted and be invisible to the find call."""
        self._missing_since_read = False
        self._pending: list[CardEvent] = []
        self._outage: str | None = None

    @classmethod
    def from_options(cls, options: SdtapiOptions) -> SdtapiReader:
        """Raises NotFound when the WLT decoder library cannot be loaded."""
        return cls(
            library=options.library,
            port=options.port,
            poll_interval_s=options.poll_interval_s,
            decoder=photo_decoder(options.wlt_decoder or None),
        )

    # --- lifecycle ---
    def open(self) -> None:
        if self._library is None:
            try:
                self._library = self._load()
            except (OSError, AttributeError) as error:
                raise NotFound(
                    "the sdtapi vendor library cannot be loaded",
                    f"check card_reader.options.library ({self.library_path}): {error}",
                ) from None
        if self._outage is None:
            self.state = DeviceState.IDLE

    def _load(self) -> Any:
        library = ctypes.CDLL(self.library_path)
        manage: list[Any] = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        library.SDT_StartFindIDCard.argtypes = manage
        library.SDT_SelectIDCard.argtypes = manage
        library.SDT_ReadBaseMsg.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.c_int,
        ]
        for name in ("SDT_StartFindIDCard", "SDT_SelectIDCard", "SDT_ReadBaseMsg"):
            getattr(library, name).restype = ctypes.c_int
        return library

    def close(self) -> None:
        # The library stays loaded (unloading a vendor library is not safe); no port is open.
        self.state = DeviceState.CLOSED

    # --- the vendor calls; each opens and closes the port itself ---
    def _find(self) -> int:
        manage = ctypes.create_string_buffer(8)
        return int(self._loaded().SDT_StartFindIDCard(self.port, manage, 1))

    def _select(self) -> int:
        manage = ctypes.create_string_buffer(8)
        return int(self._loaded().SDT_SelectIDCard(self.port, manage, 1))

    def _loaded(self) -> Any:
        if self._library is None:
            raise Offline("the reader is not open", "the kiosk opens it on start")
        return self._library

    # --- card events ---
    def wait_for_card_event(self, timeout: float) -> CardEvent | None:
        deadline = time.monotonic() + timeout
        while not self._pending:
            code = self._find()
            if code in _OUTAGES:
                self._lose(_error(code, "looking for a card"))
            else:
                self._recovered()
                if code == FOUND:
                    self._seen()
                elif code == NOT_FOUND:
                    self._missing()
                else:
                    raise _error(code, "looking for a card")
            if self._pending:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval_s, remaining))
        return self._pending.pop(0)

    def _seen(self) -> None:
        if not self._present:
            self._present = True
            self._pending.append(CardEvent.INSERTED)
        elif self._after_read:
            if self._missing_since_read:  # a card found after "no card": a new card
                self._pending += [CardEvent.REMOVED, CardEvent.INSERTED]
            self._after_read = False  # this reader finds a card it has read

    def _missing(self) -> None:
        if not self._present:
            return
        if self._after_read:
            self._missing_since_read = True
            return
        self._present = False
        self._pending.append(CardEvent.REMOVED)

    def _lose(self, error: DeviceError) -> None:
        if self._present:
            self._present = False
            self._after_read = False
            self._pending.append(CardEvent.REMOVED)
        self.state = DeviceState.OFFLINE
        if self._outage is None:
            self._outage = error.message
            log.warning("card reader unavailable: %s", error.message)
            raise error

    def _recovered(self) -> None:
        if self._outage is not None:
            log.info("card reader available again")
            self._outage = None
        self.state = DeviceState.IDLE

    # --- the read ---
    def read_card(self, timeout: float) -> IdentityCard:
        deadline = time.monotonic() + timeout
        library = self._loaded()
        self.state = DeviceState.BUSY
        try:
            found = self._find()
            if found not in (FOUND, NOT_FOUND):
                raise _error(found, "looking for the card")
            self._before(deadline)
            selected = self._select()
            if selected != SUCCESS:
                if found == NOT_FOUND:
                    raise NotFound("no card on the reader", "lay the identity card on the reader")
                raise _error(selected, "selecting the card")
            self._before(deadline)
            text = ctypes.create_string_buffer(TEXT_BLOCK_SIZE)
            photo = ctypes.create_string_buffer(PHOTO_SIZE)
            text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
            code = library.SDT_ReadBaseMsg(
                self.port, text, ctypes.byref(text_len), photo, ctypes.byref(photo_len), 1
            )
            if code != SUCCESS:
                raise _error(code, "reading the card")
        finally:
            self.state = DeviceState.IDLE
        self._after_read, self._missing_since_read = True, False
        if text_len.value != TEXT_BLOCK_SIZE or photo_len.value not in (0, PHOTO_SIZE):
            raise GarbledCard(
                f"the reader returned {text_len.value} text and {photo_len.value} photo bytes"
            )
        return parse_text_block(text.raw, photo.raw[: photo_len.value])

    @staticmethod
    def _before(deadline: float) -> None:
        if time.monotonic() >= deadline:
            raise ReadTimeout("card read timed out", "lay the card flat; check the reader cable")

    # --- health ---
    def check_health(self, level: HealthLevel) -> HealthReport:
        details = {"library": self.library_path, "port": str(self.port)}
        try:
            self.open()
            code = self._find()
        except DeviceError as error:
            return HealthReport(False, error.message, details)
        if code in (FOUND, NOT_FOUND):
            card = "a card is on the reader" if code == FOUND else "no card on the reader"
            if level is not HealthLevel.INTERNAL and code != FOUND:
                return HealthReport(False, f"reader answers; {card}", details)
            return HealthReport(True, f"reader answers; {card}", details)
        return HealthReport(False, _error(code, "looking for a card").message, details)
