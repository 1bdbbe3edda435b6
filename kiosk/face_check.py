"""One attempt of the face check (人证核验) on the camera's thread: guide the resident until
one face of usable size is centred, ask for a blink, and hand back the best frame's face,
JPEG-encoded in memory, for the platform to compare.

The image never leaves memory here: no file, no log line, no outbox item. What the screen
shows arrives through ``on_preview`` (at most ``PREVIEW_INTERVAL_S`` apart); the caller must
not keep those frames once shown.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devices.camera.base import Camera
from devices.camera.guidance import Assessment, Blink, BlinkChallenge, Hint, assess, face_crop_jpeg

if TYPE_CHECKING:
    from devices.camera.base import Frame

PREVIEW_INTERVAL_S = 0.1
"""The live picture reaches the screen at most 10 times a second."""
FRAME_TIMEOUT_S = 2.0


class FaceStage(enum.Enum):
    GUIDING = "guiding"
    """Telling the resident what to change (the assessment's hint)."""
    BLINKING = "blinking"
    """The face is in place: 请眨眨眼."""
    CAPTURED = "captured"
    """A blink was seen: the best frame goes to the platform."""


@dataclass(frozen=True)
class FacePreview:
    """One frame for the screen (BGR, as the camera gave it: the screen mirrors it)."""

    frame: Frame
    assessment: Assessment
    stage: FaceStage
    fps: float
    """Frames assessed per second over the attempt so far."""


def capture_face(
    camera: Camera,
    on_preview: Callable[[FacePreview], None],
    stop: threading.Event,
    deadline: float,
    blink_within_s: float = 4.0,
    clock: Callable[[], float] = time.monotonic,
) -> bytes | None:
    """Guide, challenge and capture; the face crop as JPEG bytes, or None when ``stop`` was
    set or ``deadline`` (a ``clock`` time) passed first. The camera must be open.

    Raises what ``camera.read_frame`` raises (NotFound, Timeout).
    """
    challenge = BlinkChallenge(within_s=blink_within_s)
    best: tuple[Frame, Assessment] | None = None
    started = clock()
    frames = 0
    shown_at = 0.0
    while not stop.is_set() and clock() < deadline:
        frame = camera.read_frame(FRAME_TIMEOUT_S)
        assessment = assess(frame)
        frames += 1
        now = clock()
        in_place = assessment.hint in (Hint.HOLD_STILL, Hint.UNCOVER) and len(assessment.faces) == 1
        if challenge.state is Blink.WAITING and not assessment.ready:
            stage = FaceStage.GUIDING
        elif not in_place:
            challenge.reset()  # the face moved away: guide again, blink again
            best = None
            stage = FaceStage.GUIDING
        else:
            state = challenge.observe(assessment.ready, now)
            if assessment.ready and (best is None or _larger(assessment, best[1])):
                best = (frame, assessment)
            stage = FaceStage.CAPTURED if state is Blink.DONE else FaceStage.BLINKING
        if stage is FaceStage.CAPTURED or now - shown_at >= PREVIEW_INTERVAL_S:
            shown_at = now
            fps = frames / max(now - started, 1e-6)
            on_preview(FacePreview(frame, assessment, stage, fps))
        if stage is FaceStage.CAPTURED and best is not None:
            return face_crop_jpeg(best[0], best[1].faces[0])
    return None


def _larger(candidate: Assessment, best: Assessment) -> bool:
    return candidate.faces[0][2] > best.faces[0][2]
