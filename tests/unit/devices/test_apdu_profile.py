"""Reader profiles are data: the shipped one says exactly what the issue specifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devices.idcard.profile import (
    ProfileError,
    StatusMeaning,
    load_profile,
    profile_from_dict,
    shipped_profiles,
)


def shipped_data() -> dict[str, Any]:
    path = Path(__file__).parents[3] / "devices/idcard/profiles/generic-sam-ccid.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_project_default_profile_is_shipped_exactly() -> None:
    profile = load_profile("generic-sam-ccid")
    assert "generic-sam-ccid" in shipped_profiles()
    assert profile.select == bytes.fromhex("00A4040007F0494443415244")
    assert profile.read_text == bytes.fromhex("80B0000000")
    assert [c.hex().upper() for c in profile.read_photo] == [
        "80B2000000",
        "80B2010000",
        "80B2020000",
        "80B2030000",
    ]
    assert profile.get_uid == bytes.fromhex("FFCA000000")
    assert profile.status_words == {
        0x9000: StatusMeaning.OK,
        0x6A82: StatusMeaning.NOT_AN_ID_CARD,
        0x6985: StatusMeaning.NOT_READY,
        0x6F00: StatusMeaning.SECURITY_MODULE_FAULT,
    }
    assert (profile.text_size, profile.photo_size) == (256, 1024)


def test_a_profile_file_by_path(tmp_path: Path) -> None:
    data = shipped_data() | {"name": "vendor-x"}
    path = tmp_path / "vendor-x.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_profile(str(path)).name == "vendor-x"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.pop("status_words"), "missing keys"),
        (lambda d: d["commands"].update(select="00 A4 ZZ"), "not hex"),
        (lambda d: d["commands"].update(read_photo=[]), "non-empty list"),
        (lambda d: d["status_words"].update({"90 00": "fine"}), "unknown meaning"),
        (lambda d: d["status_words"].update({"90": "ok"}), "2 bytes"),
        (lambda d: d["not_ready_retry"].update(attempts=0), "between"),
        (lambda d: d["not_ready_retry"].update(attempts=True), "integer"),
        (lambda d: d["sizes"].update(text="256"), "integer"),
    ],
)
def test_invalid_profiles_are_refused_with_the_key_named(change: Any, message: str) -> None:
    data = shipped_data()
    change(data)
    with pytest.raises(ProfileError, match=message):
        profile_from_dict(data)


def test_unknown_profile_names_list_the_shipped_ones() -> None:
    with pytest.raises(ProfileError, match="generic-sam-ccid"):
        load_profile("no-such-reader")
