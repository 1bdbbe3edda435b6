"""Camera frames for the face-check tests, built from a real face photo available offline
(scikit-image's ``data.astronaut()``, Eileen Collins, public domain), in memory."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import numpy.typing as npt
from skimage import data

Frame = npt.NDArray[np.uint8]

WIDTH, HEIGHT = 640, 480
_FACE = (177, 66, 95, 95)
"""Where the face is in the 512 × 512 astronaut photo (x, y, width, height)."""
_EYES = ((187, 86, 30, 30), (233, 89, 29, 29))
"""Where the eyes are in it, open."""


@functools.cache
def _astronaut() -> Frame:
    photo: Frame = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return photo


def _closed(photo: Frame) -> Frame:
    """The photo with the eyes shut: each eye's middle painted in the skin above it."""
    shut = photo.copy()
    for x, y, w, h in _EYES:
        skin = photo[y - 4 : y, x : x + w].reshape(-1, 3).mean(axis=0)
        shut[y + h // 4 : y + 3 * h // 4, x : x + w] = skin.astype(np.uint8)
    return shut


def face_frame(
    face_px: int = 200,
    centre: tuple[float, float] = (0.5, 0.5),
    eyes_closed: bool = False,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Frame:
    """A camera frame with the astronaut's face ``face_px`` wide, its centre at ``centre``
    (fractions of the frame), on a light grey background."""
    photo = _closed(_astronaut()) if eyes_closed else _astronaut()
    x, y, w, h = _FACE
    scale = face_px / w
    shift_x = width * centre[0] - (x + w / 2) * scale
    shift_y = height * centre[1] - (y + h / 2) * scale
    matrix = np.array([[scale, 0, shift_x], [0, scale, shift_y]], np.float32)
    frame: Frame = cv2.warpAffine(photo, matrix, (width, height), borderValue=(200, 200, 200))
    return frame


def two_faces() -> Frame:
    """Two astronaut crops side by side: two people in front of the camera."""
    one = face_frame(face_px=140, width=WIDTH // 2)
    pair: Frame = np.hstack([one, one])
    return pair


def blank_frame() -> Frame:
    """A plain wall: no face."""
    return np.full((HEIGHT, WIDTH, 3), 180, np.uint8)


def landscape_frame() -> Frame:
    """A photo without a face (scikit-image's coffee cup), at camera size."""
    coffee: Frame = cv2.resize(cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR), (WIDTH, HEIGHT))
    return coffee


def blink_clip(open_frames: int = 4, closed_frames: int = 2) -> list[Frame]:
    """A resident who looks at the camera and blinks: eyes open, shut, open (loops)."""
    opened, shut = face_frame(), face_frame(eyes_closed=True)
    return [opened] * open_frames + [shut] * closed_frames + [opened] * open_frames


def registered_photo(other_person: bool = False) -> bytes:
    """A resident's registered test image for the sandbox (PNG): the astronaut's head and
    shoulders, like an ID photo. ``other_person``: the same shape in other tones, which the
    sandbox's stand-in rule (histogram correlation) takes for someone else."""
    portrait = _astronaut()[0:260, 100:360]
    if other_person:
        darker = np.array([((i / 255) ** 2.2) * 255 for i in range(256)], np.uint8)
        portrait = cv2.LUT(portrait, darker)
    ok, encoded = cv2.imencode(".png", portrait)
    assert ok
    return bytes(encoded.tobytes())
