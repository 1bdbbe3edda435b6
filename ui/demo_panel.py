"""Demo mode only: lay one of the demo identity cards on the simulated reader, or take it off.

A panel over the screen, opened from one footer button, so the kiosk layout stays the one a
terminal in a service hall shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.strings import common
from ui.widgets import button, label

SIDE_MARGIN = 40
"""Inside the panel, left and right."""


class DemoCardControl(Protocol):
    def lay_card(self, label: str) -> None: ...
    def remove_card(self) -> None: ...


class DemoPanel(QFrame):
    def __init__(
        self,
        parent: QWidget,
        control: DemoCardControl,
        cards: Sequence[tuple[str, str]],
        outage: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("demoPanel")
        self.control = control
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.card_buttons: list[QPushButton] = []
        for key, caption in cards:
            lay = button(caption, "demo")
            lay.clicked.connect(lambda _=False, k=key: self._lay(k))
            self.card_buttons.append(lay)
        self.remove = button(common.DEMO_REMOVE, "demo")
        self.remove.clicked.connect(self._remove)
        close = button(common.DEMO_CLOSE)
        close.clicked.connect(self.hide)
        row = QHBoxLayout()
        row.addWidget(self.remove)
        self.outage_buttons: list[QPushButton] = []
        if outage is not None:
            for caption, down in ((common.DEMO_OUTAGE, True), (common.DEMO_RECOVER, False)):
                toggle = button(caption, "demo")
                toggle.clicked.connect(lambda _=False, d=down: self._outage(outage, d))
                row.addWidget(toggle)
                self.outage_buttons.append(toggle)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SIDE_MARGIN, 30, SIDE_MARGIN, 30)
        layout.setSpacing(24)
        layout.addWidget(label(common.DEMO_PANEL_TITLE, "sectionTitle"))
        layout.addLayout(self.grid)
        layout.addLayout(row)
        self.arrange(columns=3)
        self.hide()

    def arrange(self, columns: int) -> None:
        for lay in self.card_buttons:
            self.grid.removeWidget(lay)
        for index, lay in enumerate(self.card_buttons):
            self.grid.addWidget(lay, index // columns, index % columns)

    def columns_fitting(self, width: int) -> int:
        """As many columns (at most 3) as keep the widest card caption whole in ``width``."""
        spacing = self.grid.horizontalSpacing()
        room = width - 2 * SIDE_MARGIN + spacing
        widest = max((lay.sizeHint().width() for lay in self.card_buttons), default=1)
        return max(1, min(3, room // (widest + spacing)))

    def open_over(self, area: QWidget) -> None:
        self.arrange(self.columns_fitting(area.width() - 80))
        self.setGeometry(area.geometry().adjusted(40, 40, -40, -40))
        self.adjustSize()
        self.setFixedWidth(area.width() - 80)
        self.move(area.x() + 40, area.y() + 40)
        self.raise_()
        self.show()

    def _lay(self, key: str) -> None:
        self.hide()
        self.control.lay_card(key)

    def _outage(self, outage: Callable[[bool], None], down: bool) -> None:
        self.hide()
        outage(down)

    def _remove(self) -> None:
        self.hide()
        self.control.remove_card()
