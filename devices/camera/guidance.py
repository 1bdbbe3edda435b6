"""Local face guidance: what the resident must change before a frame is worth sending.

Pure functions over one frame (no threads, no device): the Haar cascades that ship inside
opencv-python-headless (``cv2.data.haarcascades``) find faces and eyes, and ``assess``
turns what they found into one ``Hint``. The comparison with the card holder is the
platform's; nothing here decides who the resident is. ``BlinkChallenge`` is the liveness
check: eyes seen, then not, then seen again, within a few seconds (a photo held up to the
camera does not blink).

cv2 and numpy are imported on first use, never at start-up.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devices.camera.base import Frame

DETECT_WIDTH = 320
"""Frames are scaled down to this width for detection (fast enough for a live picture)."""
MIN_FACE_FRACTION = 0.22
"""A usable face is at least this fraction of the frame's width."""
CENTRE_TOLERANCE = 0.12
"""A centred face's centre lies within this fraction of the frame's size from its centre."""
SMALLEST_FACE_FRACTION = 0.08
"""Faces smaller than this fraction of the frame's width are not looked for (far away)."""


class Hint(enum.Enum):
    """What the resident is asked to do (the screen's text is in ``ui.strings.face``)."""

    FACE_THE_CAMERA = "face_the_camera"
    """No face found, or one not in the middle: 请正对摄像头."""
    COME_CLOSER = "come_closer"
    """One face, too small: 请靠近一点."""
    UNCOVER = "uncover"
    """A face whose eyes cannot be found: 请摘下帽子或口罩."""
    ONE_PERSON = "one_person"
    """More than one face: 请只留一人在镜头前."""
    HOLD_STILL = "hold_still"
    """One face of usable size, centred, eyes found: good."""


Box = tuple[int, int, int, int]
"""x, y, width, height in the frame's pixels."""


@dataclass(frozen=True)
class Assessment:
    hint: Hint
    faces: tuple[Box, ...]
    """Every face found, largest first."""
    eyes: tuple[Box, ...] = ()
    """The eyes found in the largest face (frame pixels)."""

    @property
    def ready(self) -> bool:
        """One usable face, centred, eyes open: a frame worth sending."""
        return self.hint is Hint.HOLD_STILL


@functools.cache
def _cascades() -> tuple[Any, Any]:
    import cv2

    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    face = cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml")
    eyes = cv2.CascadeClassifier(folder + "haarcascade_eye.xml")
    if face.empty() or eyes.empty():
        raise RuntimeError(f"the Haar cascades in {folder} cannot be loaded")
    return face, eyes


def _grey(frame: Frame) -> tuple[Any, float]:
    """The frame in grey at detection size, and the factor back to frame pixels."""
    import cv2

    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    scale = frame.shape[1] / DETECT_WIDTH
    if scale > 1:
        size = (DETECT_WIDTH, round(frame.shape[0] / scale))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    else:
        scale = 1.0
    return cv2.equalizeHist(grey), scale


def _scaled(boxes: Any, scale: float, dx: int = 0, dy: int = 0) -> tuple[Box, ...]:
    found = [
        (round((x + dx) * scale), round((y + dy) * scale), round(w * scale), round(h * scale))
        for x, y, w, h in boxes
    ]
    return tuple(sorted(found, key=lambda b: b[2] * b[3], reverse=True))


FACE_SCALE_STEP = 1.15
FACE_NEIGHBOURS = 6
"""Haar face detection: the image pyramid's step and the overlapping detections a face
needs (fewer finds more false faces; these keep the astronaut photo's flag out)."""


def _faces(grey: Any, scale: float) -> tuple[Box, ...]:
    face_cascade, _ = _cascades()
    smallest = max(20, round(grey.shape[1] * SMALLEST_FACE_FRACTION))
    boxes = face_cascade.detectMultiScale(
        grey, FACE_SCALE_STEP, FACE_NEIGHBOURS, minSize=(smallest, smallest)
    )
    return _scaled(boxes, scale)


def _eyes(grey: Any, scale: float, face: Box) -> tuple[Box, ...]:
    _, eye_cascade = _cascades()
    x, y, w, h = (round(v / scale) for v in face)
    upper = grey[y : y + h * 11 // 20, x : x + w]
    smallest = max(8, w // 8)
    boxes = eye_cascade.detectMultiScale(upper, 1.1, 5, minSize=(smallest, smallest))
    return _scaled(boxes, scale, x, y)


def find_faces(frame: Frame) -> tuple[Box, ...]:
    """Every frontal face in ``frame``, largest first."""
    return _faces(*_grey(frame))


def find_eyes(frame: Frame, face: Box) -> tuple[Box, ...]:
    """The open eyes in the upper part of ``face`` (closed eyes are not found)."""
    grey, scale = _grey(frame)
    return _eyes(grey, scale, face)


def is_centred(face: Box, frame_width: int, frame_height: int) -> bool:
    x, y, w, h = face
    dx = abs(x + w / 2 - frame_width / 2) / frame_width
    dy = abs(y + h / 2 - frame_height / 2) / frame_height
    return dx <= CENTRE_TOLERANCE and dy <= CENTRE_TOLERANCE


def assess(frame: Frame) -> Assessment:
    """What the resident must change, judged on this one frame."""
    grey, scale = _grey(frame)
    faces = _faces(grey, scale)
    if not faces:
        return Assessment(Hint.FACE_THE_CAMERA, faces)
    if len(faces) > 1:
        return Assessment(Hint.ONE_PERSON, faces)
    face = faces[0]
    height, width = frame.shape[:2]
    if face[2] < width * MIN_FACE_FRACTION:
        return Assessment(Hint.COME_CLOSER, faces)
    if not is_centred(face, width, height):
        return Assessment(Hint.FACE_THE_CAMERA, faces)
    eyes = _eyes(grey, scale, face)
    if not eyes:
        return Assessment(Hint.UNCOVER, faces)
    return Assessment(Hint.HOLD_STILL, faces, eyes)


def face_crop_jpeg(frame: Frame, face: Box, quality: int = 90) -> bytes:
    """The face with a margin around it, JPEG-encoded in memory (what the platform compares)."""
    import cv2

    x, y, w, h = face
    margin = w // 4
    height, width = frame.shape[:2]
    crop = frame[
        max(0, y - margin) : min(height, y + h + margin),
        max(0, x - margin) : min(width, x + w + margin),
    ]
    ok, encoded = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the face could not be JPEG-encoded")
    return bytes(encoded.tobytes())


class Blink(enum.Enum):
    WAITING = "waiting"
    """Eyes not yet seen open."""
    EYES_OPEN = "eyes_open"
    """Eyes seen open: waiting for them to close."""
    EYES_CLOSED = "eyes_closed"
    """Eyes seen closed after open: waiting for them to open again."""
    DONE = "done"
    """A blink: open, closed, open again, in time."""


class BlinkChallenge:
    """Liveness as a small state machine over per-frame eye detections.

    Feed it ``observe(eyes_seen, at)`` for every frame with the one face in place. A blink is
    eyes seen, then not seen for at least one frame, then seen again, all within
    ``within_s`` seconds of the eyes first being seen open; a blink that takes longer starts
    over from the frame that broke it. Closed eyes for longer than ``longest_closed_s`` is
    not a blink (a photo with the eyes covered) and starts over too.
    """

    def __init__(self, within_s: float = 4.0, longest_closed_s: float = 1.5) -> None:
        self.within_s = within_s
        self.longest_closed_s = longest_closed_s
        self.state = Blink.WAITING
        self._opened_at = 0.0
        self._closed_at = 0.0

    def observe(self, eyes_seen: bool, at: float) -> Blink:
        if self.state is Blink.DONE:
            return self.state
        if self.state is not Blink.WAITING and at - self._opened_at > self.within_s:
            self.state = Blink.WAITING  # too slow: start over from this frame
        if self.state is Blink.WAITING:
            if eyes_seen:
                self.state, self._opened_at = Blink.EYES_OPEN, at
        elif self.state is Blink.EYES_OPEN:
            if not eyes_seen:
                self.state, self._closed_at = Blink.EYES_CLOSED, at
        elif eyes_seen:  # EYES_CLOSED, open again
            self.state = Blink.DONE
        elif at - self._closed_at > self.longest_closed_s:
            self.state = Blink.WAITING
        return self.state

    def reset(self) -> None:
        self.state = Blink.WAITING
