"""A USB (UVC) camera through Video4Linux2, read with OpenCV's ``VideoCapture``.

OpenCV is imported when the driver is used, never at start-up. ``VideoCapture.read`` has no
timeout of its own: V4L2 returns within a frame period or fails, so ``read_frame`` only
checks the time it took.
"""

from __future__ import annotations

import importlib.util
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from devices.base import DeviceState, HealthLevel, HealthReport, NotFound, Timeout
from devices.camera.base import Camera, picture_fault
from devices.options import require_positive

if TYPE_CHECKING:
    from devices.camera.base import Frame


def is_usable() -> tuple[bool, str]:
    if importlib.util.find_spec("cv2") is None:
        return False, "opencv-python-headless is not installed"
    return True, "OpenCV is installed"


@dataclass(frozen=True)
class V4l2CameraOptions:
    """``[camera.options]`` for ``driver = "v4l2"``."""

    device: str = "/dev/video0"
    """The camera's device node (a udev rule can give it a stable name)."""
    width: int = 640
    """Frame width asked of the camera, in pixels."""
    height: int = 480
    """Frame height asked of the camera, in pixels."""
    fps: float = 15.0
    """Frames per second asked of the camera."""

    def __post_init__(self) -> None:
        require_positive(self, "width", "height", "fps")


class V4l2Camera(Camera):
    options_type: ClassVar[type[V4l2CameraOptions]] = V4l2CameraOptions

    def __init__(self, options: V4l2CameraOptions) -> None:
        self.options = options
        self._capture: Any = None

    @classmethod
    def from_options(cls, options: V4l2CameraOptions) -> V4l2Camera:
        return cls(options)

    def open(self) -> None:
        import cv2

        self.close()
        capture = cv2.VideoCapture(self.options.device, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            self.state = DeviceState.OFFLINE
            self.last_fault = NotFound(
                f"no camera at {self.options.device}",
                "check the camera's USB cable and that the kiosk user may open the device",
            )
            raise self.last_fault
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.options.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.options.height)
        capture.set(cv2.CAP_PROP_FPS, self.options.fps)
        self._capture = capture
        self.state = DeviceState.IDLE

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
        self.state = DeviceState.CLOSED

    def read_frame(self, timeout: float) -> Frame:
        if self._capture is None:
            raise NotFound("the camera is not open")
        started = time.monotonic()
        ok, frame = self._capture.read()
        if not ok:
            self.state = DeviceState.ERROR
            self.last_fault = NotFound(
                "the camera gave no frame", "check the camera's USB cable; unplugged?"
            )
            raise self.last_fault
        if time.monotonic() - started > timeout:
            raise Timeout("the camera's frame came late", "check the USB bus and the camera")
        self.last_fault = None
        result: Frame = frame
        return result

    def check_health(self, level: HealthLevel) -> HealthReport:
        """INTERNAL: the device node is there and the kiosk may open it (the camera is not
        started: its light would come on every minute in front of residents). EXTERNAL and
        up: two frames, neither black nor frozen."""
        if level is HealthLevel.INTERNAL:
            device = self.options.device
            if not os.path.exists(device):
                return HealthReport(False, f"no camera at {device}: check its USB cable")
            if not os.access(device, os.R_OK | os.W_OK):
                return HealthReport(False, f"{device} is there but the kiosk may not open it")
            return HealthReport(True, "camera present", {"device": device})
        was_open = self._capture is not None
        try:
            if not was_open:
                self.open()
            first, second = self.read_frame(2.0), self.read_frame(2.0)
        except (NotFound, Timeout) as error:
            return HealthReport(False, error.message)
        finally:
            if not was_open:
                self.close()
        details = {"device": self.options.device, "frame": f"{second.shape[1]}x{second.shape[0]}"}
        problem = picture_fault(first, second)
        if problem is not None:
            return HealthReport(False, problem, details)
        return HealthReport(True, "camera ready", details)
