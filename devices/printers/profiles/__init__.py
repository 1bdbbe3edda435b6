"""Thermal printer profiles: what a printer model can do, as data (one JSON file per model).

A new printer model is a new ``<name>.json`` next to this module, not new code. Every key is
required and unknown keys are an error, so a typo cannot silently fall back to a default:

- ``description``: what kind of printer this is (free text).
- ``paper_width_mm``: 58 or 80.
- ``dots_per_line``: printable width in dots (384 on 58 mm paper, 576 on 80 mm at 203 dpi).
- ``chinese_font``: the printer has a GB18030 font (kanji mode, ``FS &``); without one every
  line holding Chinese is sent as a raster image.
- ``cutter``: ``"partial"``, ``"full"`` or ``"none"`` (tear-off edge).
- ``realtime_status``: the printer answers ``DLE EOT n``; without it no job can be confirmed.
- ``print_speed_mm_s``: paper speed, used to wait for the paper to come out before the
  closing status query.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from devices.printers.escpos_encoding import CUTTERS, DOTS_PER_COLUMN

PAPER_WIDTHS_MM = (58, 80)


class ProfileError(ValueError):
    """A printer profile is missing or invalid; the message names the profile and the key."""


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    description: str
    paper_width_mm: int
    dots_per_line: int
    chinese_font: bool
    cutter: str
    realtime_status: bool
    print_speed_mm_s: float

    @property
    def columns(self) -> int:
        """Half-width text columns: 12 dots each, an even number so raster rows are whole bytes."""
        columns = self.dots_per_line // DOTS_PER_COLUMN
        return columns - columns % 2

    def with_overrides(self, overrides: Mapping[str, Any]) -> PrinterProfile:
        """This profile with some keys replaced (from the kiosk config), validated again."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data.pop("name")
        for key, value in overrides.items():
            if key == "name" or key not in data:
                raise ProfileError(f"printer profile {self.name}: cannot override {key!r}")
            data[key] = value
        return profile_from_dict(self.name, data)


_TYPES: dict[str, tuple[type, ...]] = {
    "description": (str,),
    "paper_width_mm": (int,),
    "dots_per_line": (int,),
    "chinese_font": (bool,),
    "cutter": (str,),
    "realtime_status": (bool,),
    "print_speed_mm_s": (int, float),
}


def profile_from_dict(name: str, data: Mapping[str, Any]) -> PrinterProfile:
    """Validate one profile's data; raise ProfileError naming the profile and the bad key."""
    where = f"printer profile {name}"
    if not isinstance(data, Mapping):
        raise ProfileError(f"{where}: expected an object")
    unknown = set(data) - set(_TYPES)
    missing = set(_TYPES) - set(data)
    if unknown or missing:
        raise ProfileError(f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
    for key, types in _TYPES.items():
        value = data[key]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise ProfileError(f"{where}: {key} must be {' or '.join(t.__name__ for t in types)}")
    if data["paper_width_mm"] not in PAPER_WIDTHS_MM:
        raise ProfileError(f"{where}: paper_width_mm must be one of {PAPER_WIDTHS_MM}")
    if not 8 * DOTS_PER_COLUMN <= data["dots_per_line"] <= 2048:
        raise ProfileError(f"{where}: dots_per_line must be 96 to 2048")
    if data["cutter"] not in CUTTERS:
        raise ProfileError(f"{where}: cutter must be one of {CUTTERS}")
    if not data["print_speed_mm_s"] > 0:
        raise ProfileError(f"{where}: print_speed_mm_s must be positive")
    return PrinterProfile(
        name=name,
        description=data["description"],
        paper_width_mm=data["paper_width_mm"],
        dots_per_line=data["dots_per_line"],
        chinese_font=data["chinese_font"],
        cutter=data["cutter"],
        realtime_status=data["realtime_status"],
        print_speed_mm_s=float(data["print_speed_mm_s"]),
    )


def profile_names() -> list[str]:
    """Every profile shipped with the kiosk."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


def load_profile(name: str) -> PrinterProfile:
    """The named shipped profile; ProfileError lists the known names when there is none."""
    if name not in profile_names():
        raise ProfileError(f"no printer profile {name!r}; known: {', '.join(profile_names())}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProfileError(f"printer profile {name}: not valid JSON ({error})") from None
    return profile_from_dict(name, data)
