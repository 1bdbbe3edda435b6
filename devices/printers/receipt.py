"""A receipt as the printer should lay it out, independent of any printer's byte language."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Align(enum.Enum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


@dataclass(frozen=True)
class Text:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    large: bool = False
    """Double width and height."""


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Rule:
    """A full-width separator line."""


ReceiptElement = Text | QrCode | Rule


@dataclass(frozen=True, repr=False)
class Receipt:
    elements: tuple[ReceiptElement, ...]

    def __repr__(self) -> str:
        return f"Receipt({len(self.elements)} elements)"
