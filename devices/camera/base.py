"""The camera contract every driver implements.

A frame is a numpy ``uint8`` array of shape (height, width, 3) in BGR order, as OpenCV
gives it. Frames live in memory only: no driver writes one to disk or logs it.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from devices.base import DeviceError, DeviceState, HealthLevel, HealthReport

if TYPE_CHECKING:  # start-up: numpy loads with the first frame, not before
    import numpy as np
    import numpy.typing as npt

    Frame = npt.NDArray[np.uint8]


class Camera(abc.ABC):
    """A camera that hands out frames. All methods block and must be called from the
    camera's own worker thread; a driver looks the device up again on ``open()``."""

    state: DeviceState = DeviceState.CLOSED
    last_fault: DeviceError | None = None
    """The last fault the driver saw, until a frame is read again."""

    @abc.abstractmethod
    def open(self) -> None:
        """Find the camera and start it. Raises: NotFound."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop the camera (its light goes out); a closed camera may be opened again."""

    @abc.abstractmethod
    def read_frame(self, timeout: float) -> Frame:
        """The next frame. Raises: Timeout (none within ``timeout``), NotFound (gone)."""

    @abc.abstractmethod
    def check_health(self, level: HealthLevel) -> HealthReport: ...


BLACK_MEAN = 8.0
"""A frame whose mean brightness (0–255) is below this shows nothing: a covered lens."""


def picture_fault(first: Frame, second: Frame) -> str | None:
    """What is wrong with the picture two frames in a row show, if anything: a black picture
    (lens covered, camera broken) or a frozen one (the same bytes twice: a wedged driver;
    a real sensor's noise never gives two identical frames)."""
    if float(second.mean()) < BLACK_MEAN:
        return "the picture is black: check the lens is not covered and the camera's cable"
    if first.shape == second.shape and bool((first == second).all()):
        return "the picture is frozen: the camera sends the same frame again and again"
    return None
