"""The thin Qt facade over the terminal: session changes arrive as a queued signal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kiosk.face_check import FacePreview
from kiosk.session import SessionView
from ui.camera_frames import camera_frame

if TYPE_CHECKING:  # start-up: the watch module loads requests and sqlite-utils
    from kiosk.platform.watch import PlatformStatus


class SessionBridge(QObject):
    """``publish`` may be called from any thread; ``changed`` is delivered on the GUI thread."""

    changed = Signal(object)  # SessionView
    platform_changed = Signal(object)  # PlatformStatus
    camera_frame = Signal(object)  # ui.camera_frames.CameraFrame

    def publish(self, view: SessionView) -> None:
        self.changed.emit(view)

    def publish_platform(self, status: PlatformStatus) -> None:
        self.platform_changed.emit(status)

    def publish_face(self, preview: FacePreview) -> None:
        """A face check's live frame (camera thread): copied into a QImage here, the numpy
        frame left behind."""
        self.camera_frame.emit(camera_frame(preview))
