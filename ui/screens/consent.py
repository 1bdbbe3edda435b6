"""查询授权: before the platform is asked about the resident, what is queried, by whom and
what is kept, in large type; 同意 goes on, 不同意 ends the session."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ui.strings import flow as text
from ui.widgets import button, card, centered, label, touch_scroll_area


class ConsentScreen(QWidget):
    agreed = Signal()
    refused = Signal()

    def __init__(self, consent_text: str) -> None:
        """``consent_text``: the operator's text (``[consent] text``), one paragraph a line."""
        super().__init__()
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(50, 40, 50, 40)
        inner.setSpacing(24)
        inner.addWidget(label(text.CONSENT_INTRO, "muted"))
        scroll, paragraphs = touch_scroll_area()
        paragraphs.setSpacing(24)
        lines = [line.strip() for line in consent_text.splitlines() if line.strip()]
        self.paragraphs = [label(line, "subtitle") for line in lines]
        for paragraph in self.paragraphs:
            paragraphs.addWidget(paragraph)
        self.identity = label("", "subtitle")
        paragraphs.addWidget(self.identity)
        paragraphs.addStretch(1)
        inner.addWidget(scroll, 1)
        self.agree = button(text.CONSENT_AGREE, "primary")
        self.refuse = button(text.CONSENT_REFUSE)
        for choice in (self.agree, self.refuse):
            choice.setMinimumWidth(320)
        self.agree.clicked.connect(self.agreed)
        self.refuse.clicked.connect(self.refused)
        row = QHBoxLayout()
        row.setSpacing(60)
        row.addStretch(1)
        row.addWidget(self.refuse)
        row.addWidget(self.agree)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(80, 30, 80, 30)
        layout.setSpacing(30)
        layout.addWidget(centered(text.CONSENT_TITLE, "title"))
        layout.addWidget(box, 1)
        layout.addLayout(row)

    def show_identity_check(self, face_check: bool) -> None:
        """How the resident's identity is checked on this terminal: by the card and the face
        (人证核验, asked separately next), or by the card only."""
        self.identity.setText(text.IDENTITY_BY_FACE if face_check else text.IDENTITY_BY_CARD)
