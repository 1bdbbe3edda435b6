"""A camera that plays frames from image files or a short clip: demo mode and tests.

Frames come from the ``frames`` option (image files, played in turn, or one video clip read
through OpenCV) or, in tests, from ``play(frames)``; they loop, paced at ``fps``. Scripted
faults (``faults`` option, ``devices.faults``): ``"missing_after_open:0"`` (no camera: every
open raises NotFound), ``"black_after_frame:N"`` (from the N+1th frame on, black frames: a
covered lens), ``"frozen_after_frame:N"`` (from the N+1th frame on, the Nth frame again and
again: a wedged driver).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from devices.base import DeviceState, HealthLevel, HealthReport, NotFound, Timeout
from devices.camera.base import Camera, picture_fault
from devices.faults import FaultScript
from devices.options import option_error, require_fault_script, require_positive

if TYPE_CHECKING:
    from devices.camera.base import Frame

CLIP_SUFFIXES = (".avi", ".mp4", ".mkv", ".webm")


def is_usable() -> tuple[bool, str]:
    return True, "simulated camera needs no hardware"


@dataclass(frozen=True)
class SimulatedCameraOptions:
    """``[camera.options]`` for ``driver = "simulated"``."""

    frames: tuple[str, ...] = ()
    """Image files played in turn, or one video clip (.avi, .mp4, .mkv, .webm); empty: a
    plain grey picture (no face)."""
    fps: float = 15.0
    """Frames per second, like a real camera's."""
    faults: tuple[str, ...] = ()
    """Scripted faults, e.g. ``"black_after_frame:10"`` (``devices.faults``)."""

    def __post_init__(self) -> None:
        require_positive(self, "fps")
        require_fault_script(self.faults)
        for name in self.frames:
            if not Path(name).is_file():
                raise option_error("frames", f"no such file {name!r}")


def load_frames(paths: Sequence[str]) -> list[Frame]:
    """The frames of image files, or of the one clip among ``paths``."""
    import cv2

    frames: list[Frame] = []
    for path in paths:
        if path.lower().endswith(CLIP_SUFFIXES):
            clip = cv2.VideoCapture(path)
            try:
                while True:
                    ok, frame = clip.read()
                    if not ok:
                        break
                    frames.append(frame.astype("uint8", copy=False))
            finally:
                clip.release()
        else:
            image = cv2.imread(path, cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError(f"{path}: not an image OpenCV can read")
            frames.append(image.astype("uint8", copy=False))
    return frames


def _grey_frame() -> Frame:
    import numpy as np

    return np.full((480, 640, 3), 128, np.uint8)


class SimulatedCamera(Camera):
    options_type: ClassVar[type[SimulatedCameraOptions]] = SimulatedCameraOptions

    def __init__(
        self,
        frames: Sequence[Frame] = (),
        fps: float = 15.0,
        faults: FaultScript | None = None,
        paths: Sequence[str] = (),
    ) -> None:
        """``paths``: files to load ``frames`` from at the first open (not at start-up)."""
        self.fps = fps
        self._faults = faults or FaultScript([])
        self._paths = tuple(paths)
        self._lock = threading.Lock()
        self._frames: list[Frame] = list(frames)
        self._next = 0
        self._served = 0
        self._opens = 0
        self._last: Frame | None = None
        self._due = 0.0

    @classmethod
    def from_options(cls, options: SimulatedCameraOptions) -> SimulatedCamera:
        return cls(fps=options.fps, faults=FaultScript(list(options.faults)), paths=options.frames)

    # --- what a test does in front of the camera ---
    def play(self, frames: Sequence[Frame]) -> None:
        """Show these frames from now on (looping)."""
        with self._lock:
            self._frames = list(frames)
            self._paths = ()
            self._next = 0

    # --- the driver contract ---
    def _missing(self) -> bool:
        return self._faults.due("open", max(self._opens, 1)) == "missing"

    def open(self) -> None:
        self._opens += 1
        if self._missing():
            self.state = DeviceState.OFFLINE
            self.last_fault = NotFound("no camera found", "check the camera's USB cable")
            raise self.last_fault
        with self._lock:
            if self._paths:
                self._frames, self._paths = load_frames(self._paths), ()
        self.state = DeviceState.IDLE
        self._due = time.monotonic()

    def close(self) -> None:
        self.state = DeviceState.CLOSED

    def read_frame(self, timeout: float) -> Frame:
        if self.state is not DeviceState.IDLE:
            raise NotFound("the camera is not open")
        wait = self._due - time.monotonic()
        if wait > timeout:
            raise Timeout("no frame in time", "check the camera's USB cable")
        time.sleep(max(0.0, wait))
        self._due = max(self._due, time.monotonic() - 1 / self.fps) + 1 / self.fps
        self._served += 1
        fault = self._faults.due("frame", self._served)
        with self._lock:
            if fault == "frozen" and self._last is not None:
                return self._last
            if fault == "black":
                import numpy as np

                shape = self._frames[0].shape if self._frames else (480, 640, 3)
                return np.zeros(shape, np.uint8)
            frame = self._frames[self._next % len(self._frames)] if self._frames else None
            self._next += 1
        self._last = frame.copy() if frame is not None else _grey_frame()
        self._last[0, 0, 0] ^= self._served & 1  # a real sensor's noise: no two frames alike
        self.last_fault = None
        return self._last

    def check_health(self, level: HealthLevel) -> HealthReport:
        if self._missing():
            return HealthReport(False, "no camera found; check its USB cable")
        if level is HealthLevel.INTERNAL:  # like the real one: no picture, no light
            return HealthReport(True, "simulated camera present", {"fps": f"{self.fps:g}"})
        was_open = self.state is DeviceState.IDLE
        if not was_open:
            self.open()
        try:
            first, second = self.read_frame(1.0), self.read_frame(1.0)
        finally:
            if not was_open:
                self.close()
        problem = picture_fault(first, second)
        details = {"frame": f"{second.shape[1]}x{second.shape[0]}", "fps": f"{self.fps:g}"}
        if problem is not None:
            return HealthReport(False, problem, details)
        return HealthReport(True, "simulated camera ready", details)
