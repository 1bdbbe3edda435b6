"""The identity read a reader profile describes, over any APDU transport.

Pure logic: the transport is a callable (command APDU → response APDU bytes), so the same
dialogue runs over pyscard, in tests against a script, and under hypothesis. ISO 7816-4
plumbing is handled here once for every profile: ``61 XX`` (more data: GET RESPONSE) and
``6C XX`` (wrong length: send again with Le = XX).

A response without a status word means the card left the field mid-command (pcsc-lite
returns an empty response when the card is pulled during a transmit).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.base import DeviceError, NotSupported, Timeout
from devices.idcard.card import CardMoved, GarbledCard, NotAnIdCard
from devices.idcard.profile import ReaderProfile, StatusMeaning

Transmit = Callable[[bytes], bytes]
"""Send one command APDU, return the response APDU (data + SW1 SW2). May raise DeviceError."""

SW_OK = 0x9000
MAX_RESPONSE = 65536
"""Bytes one command may gather through GET RESPONSE before the reader counts as faulty."""


class SecurityModuleFault(DeviceError):
    code = "reader_sam_fault"


class NoSecurityModule(NotSupported):
    code = "reader_no_sam"


class UnexpectedStatus(DeviceError):
    code = "reader_unexpected_status"


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise CardMoved("response without a status word: the card left the field")
        return cls(bytes(raw[:-2]), raw[-2] << 8 | raw[-1])

    @property
    def sw_text(self) -> str:
        return f"{self.sw:04X}"


def with_le(command: bytes, le: int) -> bytes:
    """``command`` asking for exactly ``le`` bytes (ISO 7816-3 cases 1-4)."""
    if len(command) <= 5:  # case 1 or 2
        return command[:4] + bytes([le])
    if len(command) == 5 + command[4]:  # case 3: data, no Le yet
        return command + bytes([le])
    return command[:-1] + bytes([le])  # case 4


def exchange(transmit: Transmit, command: bytes) -> Response:
    """Send ``command``; follow ``61 XX`` with GET RESPONSE and ``6C XX`` with a resend."""
    response = Response.parse(transmit(command))
    if response.sw >> 8 == 0x6C:
        response = Response.parse(transmit(with_le(command, response.sw & 0xFF)))
    data = response.data
    while response.sw >> 8 == 0x61:
        if len(data) > MAX_RESPONSE:
            raise UnexpectedStatus("the reader keeps offering more data", "power-cycle the reader")
        response = Response.parse(transmit(bytes([0x00, 0xC0, 0x00, 0x00, response.sw & 0xFF])))
        data += response.data
    return Response(data, response.sw)


@dataclass(frozen=True, repr=False)
class IdentityData:
    """What the security module released: the text block and the WLT photo."""

    text: bytes
    photo: bytes


class IdentityRead:
    """One read of the card on the reader, as the profile describes it.

    ``deadline`` is a ``clock()`` time; no command starts after it and no back-off sleeps
    past it. A command answered "not ready" is repeated at most ``not_ready_attempts`` times.
    """

    def __init__(
        self,
        profile: ReaderProfile,
        transmit: Transmit,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.profile = profile
        self._transmit = transmit
        self._deadline = deadline
        self._clock = clock
        self._sleep = sleep

    def run(self) -> IdentityData:
        self.select()
        text = self._command("READ TEXT", self.profile.read_text)
        if len(text) != self.profile.text_size:
            raise GarbledCard(f"text block has {len(text)} bytes, not {self.profile.text_size}")
        photo = b""
        for index, command in enumerate(self.profile.read_photo):
            block = self._command(f"READ PHOTO {index}", command)
            if len(block) != self.profile.photo_block_size:
                raise GarbledCard(f"photo block {index} has {len(block)} bytes")
            photo += block
        return IdentityData(text, photo)

    def select(self) -> None:
        """SELECT the identity application; tells a reader without a security module apart."""
        try:
            self._command("SELECT", self.profile.select)
        except UnexpectedStatus:
            if self._answers_uid():
                raise NoSecurityModule(
                    "this reader cannot read identity data",
                    "it answers only the card UID (no security module): fit a reader with a "
                    "GA/T 467 security module, or choose the profile for this reader model",
                ) from None
            raise

    def _answers_uid(self) -> bool:
        try:
            return self._send(self.profile.get_uid).sw == SW_OK
        except DeviceError:
            return False

    def _send(self, command: bytes) -> Response:
        if self._clock() >= self._deadline:
            raise Timeout("card read timed out", "lay the card flat; check the reader cable")
        return exchange(self._transmit, command)

    def _command(self, what: str, command: bytes) -> bytes:
        delay = self.profile.not_ready_first_delay_s
        for attempt in range(1, self.profile.not_ready_attempts + 1):
            response = self._send(command)
            meaning = self.profile.meaning(response.sw)
            if meaning is StatusMeaning.OK:
                return response.data
            if meaning is StatusMeaning.NOT_AN_ID_CARD:
                raise NotAnIdCard("the card on the reader is not an identity card")
            if meaning is StatusMeaning.SECURITY_MODULE_FAULT:
                raise SecurityModuleFault(
                    f"the reader's security module reported a fault ({response.sw_text})",
                    "power-cycle the reader; if it persists the security module needs service",
                )
            if meaning is None:
                raise UnexpectedStatus(
                    f"the reader answered {what} with status {response.sw_text}",
                    f"check that reader profile {self.profile.name!r} fits this reader model",
                )
            if attempt == self.profile.not_ready_attempts:
                break
            if self._clock() + delay >= self._deadline:
                raise Timeout("card read timed out while the reader was not ready")
            self._sleep(delay)
            delay = min(delay * 2, self.profile.not_ready_max_delay_s)
        raise Timeout(
            f"the reader stayed not ready for {what}",
            "lay the card again; power-cycle the reader if it keeps happening",
        )
