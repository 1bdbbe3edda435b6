"""暂停服务: the terminal cannot serve (a loop keeps failing); residents go to a window."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ui.strings import out_of_service as text
from ui.widgets import card, centered


class OutOfServiceScreen(QWidget):
    def __init__(self, service_window: str = "") -> None:
        """``service_window``: the hall's window to go to (e.g. "3号窗口"); empty: any."""
        super().__init__()
        box = card("errorCard")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 60, 60, 60)
        inner.setSpacing(36)
        self.title = centered(text.TITLE, "errorTitle")
        window = service_window or text.SERVICE_WINDOW
        self.go_to = centered(text.GO_TO_WINDOW.format(window=window), "prompt")
        inner.addWidget(self.title)
        inner.addWidget(self.go_to)
        inner.addWidget(centered(text.MESSAGE, "muted"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 40, 80, 40)
        layout.addStretch(1)
        layout.addWidget(box)
        layout.addStretch(2)
