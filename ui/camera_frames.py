"""Camera frames as the screens get them: a mirrored ``QImage`` copy made on the camera's
thread, so the numpy frame is not kept and the GUI thread only draws."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from devices.camera.guidance import Hint
from kiosk.face_check import FacePreview, FaceStage


@dataclass(frozen=True)
class CameraFrame:
    image: QImage
    """Mirrored, as a mirror shows the resident (left is left)."""
    hint: Hint
    stage: FaceStage
    fps: float
    faces: int


def camera_frame(preview: FacePreview) -> CameraFrame:
    frame = preview.frame
    height, width = frame.shape[:2]
    view = QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888)
    image = view.flipped(Qt.Orientation.Horizontal)  # a deep copy: the frame may go now
    assessment = preview.assessment
    return CameraFrame(image, assessment.hint, preview.stage, preview.fps, len(assessment.faces))
