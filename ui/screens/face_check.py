"""The face check's two screens: its own consent (同意刷脸 / 不用刷脸，到窗口办理) and the
live picture with the guidance in big text."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from devices.camera.guidance import Hint
from kiosk.face_check import FaceStage
from ui import theme
from ui.camera_frames import CameraFrame
from ui.strings import face as text
from ui.strings import out_of_service as window_text
from ui.widgets import button, card, card_above_buttons, centered, label

GUIDE_FRACTION = 0.5
"""The drawn guide frame's width as a fraction of the picture's (where the face goes)."""


class FaceConsentScreen(QWidget):
    agreed = Signal()
    refused = Signal()

    def __init__(self, service_window: str = "") -> None:
        super().__init__()
        box = card()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(60, 50, 60, 50)
        inner.setSpacing(28)
        inner.addWidget(centered(text.CONSENT_TITLE, "title"))
        inner.addWidget(label(text.CONSENT_WHY))
        inner.addWidget(label(text.CONSENT_WHAT))
        window = service_window or window_text.SERVICE_WINDOW
        inner.addWidget(label(text.CONSENT_ALTERNATIVE.format(window=window), "muted"))
        self.agree = button(text.AGREE, "primary")
        self.refuse = button(text.REFUSE)
        self.agree.clicked.connect(self.agreed)
        self.refuse.clicked.connect(self.refused)
        card_above_buttons(self, box, self.refuse, self.agree, spacing=40)


class CameraView(QWidget):
    """The live picture, scaled to fit, with the guide frame where the face should be."""

    def __init__(self) -> None:
        super().__init__()
        self.image: QImage | None = None
        self.ready = False
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_frame(self, image: QImage | None, ready: bool) -> None:
        self.image, self.ready = image, ready
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        scale = min(w / 640, h / 480)
        target = QRectF((w - 640 * scale) / 2, (h - 480 * scale) / 2, 640 * scale, 480 * scale)
        painter.fillRect(target, QColor(theme.INK))
        if self.image is not None:
            painter.drawImage(target, self.image)
        guide_w = target.width() * GUIDE_FRACTION
        guide_h = guide_w * 1.25
        guide = QRectF(
            target.center().x() - guide_w / 2, target.center().y() - guide_h / 2, guide_w, guide_h
        )
        painter.setPen(QPen(QColor(theme.GREEN if self.ready else theme.WHITE), 8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(guide)
        painter.end()


class FaceCheckScreen(QWidget):
    def __init__(self, attempts: int = 3) -> None:
        super().__init__()
        self.attempts = attempts
        self.camera = CameraView()
        self.hint = centered(text.HINTS[Hint.FACE_THE_CAMERA], "faceHint")
        self.attempt = centered("", "subtitle")
        self.note = centered(text.PRIVACY_NOTE, "muted")
        side = QVBoxLayout()
        side.setSpacing(30)
        side.addStretch(1)
        side.addWidget(self.hint)
        side.addWidget(self.attempt)
        side.addWidget(self.note)
        side.addStretch(1)
        self.layout_ = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.layout_.setContentsMargins(60, 30, 60, 30)
        self.layout_.setSpacing(40)
        self.layout_.addWidget(self.camera, 3)
        self.layout_.addLayout(side, 2)

    def set_portrait(self, portrait: bool) -> None:
        """Portrait screens: the picture on top, the guidance under it."""
        self.layout_.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def begin_attempt(self, attempt: int) -> None:
        """A new attempt: no picture until the camera's first frame; after a failed one,
        say so calmly."""
        self.camera.show_frame(None, False)
        self.hint.setText(text.HINTS[Hint.FACE_THE_CAMERA])
        count = text.ATTEMPT.format(attempt=attempt, attempts=self.attempts)
        self.attempt.setText(count if attempt == 1 else f"{text.RETRY}\n{count}")

    def show_frame(self, frame: CameraFrame) -> None:
        if frame.stage is FaceStage.CAPTURED:
            self.hint.setText(text.VERIFYING)
        elif frame.stage is FaceStage.BLINKING:
            self.hint.setText(text.BLINK)
        else:
            self.hint.setText(text.HINTS[frame.hint])
        self.camera.show_frame(frame.image, frame.stage is not FaceStage.GUIDING)

    def clear(self) -> None:
        """The picture goes as soon as the check ends."""
        self.camera.show_frame(None, False)
