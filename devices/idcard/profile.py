"""Reader profiles: how a reader model tunnels the identity-card read over PC/SC, as data.

Readers with a security module differ only in their command set, so a new model is a new
JSON file in ``devices/idcard/profiles/`` (or any path named in config), not new code. Every
key is required and unknown keys are an error, so a typo cannot fall back to a default:

- ``name``: the profile's name (the file name without ``.json`` for shipped profiles).
- ``description``: what kind of reader speaks it (free text).
- ``commands``: hex command APDUs (spaces allowed): ``select`` (the security module's
  identity application), ``read_text`` (the 256-byte text block), ``read_photo`` (a list:
  the photo's blocks in order), ``get_uid`` (what a reader without a security module still
  answers; used to tell the technician so).
- ``sizes``: ``text`` (bytes READ TEXT returns) and ``photo_block`` (bytes per photo block).
- ``status_words``: ``"SW1 SW2"`` → ``ok`` | ``not_an_id_card`` | ``not_ready`` |
  ``security_module_fault``. Any other status word is a reader fault.
- ``not_ready_retry``: ``attempts`` (commands answered "not ready" are sent at most this many
  times), ``first_delay_s`` and ``max_delay_s`` (doubling back-off between attempts).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_PROFILE = "generic-sam-ccid"


class ProfileError(ValueError):
    """A reader profile is missing or invalid; the message names the profile and the key."""


class StatusMeaning(enum.Enum):
    OK = "ok"
    NOT_AN_ID_CARD = "not_an_id_card"
    NOT_READY = "not_ready"
    SECURITY_MODULE_FAULT = "security_module_fault"


@dataclass(frozen=True)
class ReaderProfile:
    name: str
    description: str
    select: bytes
    read_text: bytes
    read_photo: tuple[bytes, ...]
    get_uid: bytes
    text_size: int
    photo_block_size: int
    status_words: Mapping[int, StatusMeaning]
    not_ready_attempts: int
    not_ready_first_delay_s: float
    not_ready_max_delay_s: float

    def meaning(self, sw: int) -> StatusMeaning | None:
        """What a status word means for this reader; None for one the profile does not know."""
        return self.status_words.get(sw)

    @property
    def photo_size(self) -> int:
        return self.photo_block_size * len(self.read_photo)


_SECTIONS: dict[str, set[str]] = {
    "commands": {"select", "read_text", "read_photo", "get_uid"},
    "sizes": {"text", "photo_block"},
    "not_ready_retry": {"attempts", "first_delay_s", "max_delay_s"},
}
_TOP = {"name", "description", "status_words", *_SECTIONS}


def _keys(where: str, data: Any, expected: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ProfileError(f"{where}: expected an object")
    unknown, missing = set(data) - expected, expected - set(data)
    if unknown:
        raise ProfileError(f"{where}: unknown keys {sorted(unknown)}")
    if missing:
        raise ProfileError(f"{where}: missing keys {sorted(missing)}")
    return data


def _hex(where: str, value: Any, minimum: int) -> bytes:
    if not isinstance(value, str):
        raise ProfileError(f"{where}: expected a hex string")
    try:
        raw = bytes.fromhex(value.replace(" ", ""))
    except ValueError:
        raise ProfileError(f"{where}: not hex") from None
    if len(raw) < minimum:
        raise ProfileError(f"{where}: shorter than {minimum} bytes")
    return raw


def _number(where: str, value: Any, kind: type, low: float, high: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise ProfileError(f"{where}: expected {'a number' if kind is float else 'an integer'}")
    if not low <= value <= high:
        raise ProfileError(f"{where}: must be between {low} and {high}")
    return kind(value)


def profile_from_dict(data: Any, where: str = "reader profile") -> ReaderProfile:
    """Validate one profile's data; raise ProfileError naming the profile and the bad key."""
    top = _keys(where, data, _TOP)
    name = top["name"]
    if not isinstance(name, str) or not name:
        raise ProfileError(f"{where}: name must be a non-empty string")
    where = f"reader profile {name}"
    if not isinstance(top["description"], str):
        raise ProfileError(f"{where}.description: expected a string")
    commands = _keys(f"{where}.commands", top["commands"], _SECTIONS["commands"])
    photo = commands["read_photo"]
    if not isinstance(photo, list) or not photo:
        raise ProfileError(f"{where}.commands.read_photo: expected a non-empty list")
    sizes = _keys(f"{where}.sizes", top["sizes"], _SECTIONS["sizes"])
    retry = _keys(f"{where}.not_ready_retry", top["not_ready_retry"], _SECTIONS["not_ready_retry"])
    statuses = top["status_words"]
    if not isinstance(statuses, Mapping):
        raise ProfileError(f"{where}.status_words: expected an object")
    status_words: dict[int, StatusMeaning] = {}
    for sw_text, meaning in statuses.items():
        sw = _hex(f"{where}.status_words", sw_text, 2)
        if len(sw) != 2:
            raise ProfileError(f"{where}.status_words: {sw_text!r} is not two bytes")
        try:
            status_words[int.from_bytes(sw, "big")] = StatusMeaning(meaning)
        except ValueError:
            raise ProfileError(f"{where}.status_words: unknown meaning {meaning!r}") from None
    if StatusMeaning.OK not in status_words.values():
        raise ProfileError(f"{where}.status_words: no status word means ok")
    return ReaderProfile(
        name=name,
        description=top["description"],
        select=_hex(f"{where}.commands.select", commands["select"], 4),
        read_text=_hex(f"{where}.commands.read_text", commands["read_text"], 4),
        read_photo=tuple(
            _hex(f"{where}.commands.read_photo[{i}]", c, 4) for i, c in enumerate(photo)
        ),
        get_uid=_hex(f"{where}.commands.get_uid", commands["get_uid"], 4),
        text_size=_number(f"{where}.sizes.text", sizes["text"], int, 1, 4096),
        photo_block_size=_number(f"{where}.sizes.photo_block", sizes["photo_block"], int, 1, 4096),
        status_words=status_words,
        not_ready_attempts=_number(
            f"{where}.not_ready_retry.attempts", retry["attempts"], int, 1, 50
        ),
        not_ready_first_delay_s=_number(
            f"{where}.not_ready_retry.first_delay_s", retry["first_delay_s"], float, 0, 5
        ),
        not_ready_max_delay_s=_number(
            f"{where}.not_ready_retry.max_delay_s", retry["max_delay_s"], float, 0, 5
        ),
    )


def shipped_profiles() -> list[str]:
    folder = resources.files("devices.idcard.profiles")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def load_profile(name_or_path: str = DEFAULT_PROFILE) -> ReaderProfile:
    """A shipped profile by name, or a profile file by path (anything with a ``/`` or ending
    in ``.json``)."""
    if "/" in name_or_path or name_or_path.endswith(".json"):
        where = str(name_or_path)
        try:
            text = Path(name_or_path).read_text(encoding="utf-8")
        except OSError as error:
            raise ProfileError(f"reader profile {where}: cannot read ({error.strerror})") from None
    else:
        where = f"reader profile {name_or_path}"
        resource = resources.files("devices.idcard.profiles") / f"{name_or_path}.json"
        if not resource.is_file():
            raise ProfileError(f"{where}: no such profile; shipped: {shipped_profiles()}")
        text = resource.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProfileError(f"{where}: not valid JSON ({error})") from None
    profile = profile_from_dict(data, where)
    shipped = "/" not in name_or_path and not name_or_path.endswith(".json")
    if shipped and profile.name != name_or_path:
        raise ProfileError(f"{where}: the file names itself {profile.name!r}")
    return profile
