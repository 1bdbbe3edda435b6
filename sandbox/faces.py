"""The sandbox's face comparison: a documented STAND-IN, not face recognition.

The real platform compares the face the kiosk sends with the card holder's photo in the
public-security registry, with a face-recognition model the kiosk knows nothing of. The
sandbox has no such model and must answer the same question deterministically, so it
applies this stand-in rule to each resident's registered test image (``register``):

1. Find the largest frontal face in each image with OpenCV's Haar cascade
   (``haarcascade_frontalface_default.xml``, scale 1.1, 5 neighbours). No face in the image
   sent: ``retry`` (score 0).
2. Take the inner 80 % of each face box in grey, scaled to 64 × 64 pixels.
3. Compare their 32-bin grey-level histograms by correlation (``cv2.compareHist``,
   ``HISTCMP_CORREL``); the score is that correlation, clipped to 0–1.
4. ``match`` when the score is at least ``MATCH_THRESHOLD`` (0.90), else ``no_match``.
   A resident without a registered image: ``no_match``.

Two photos of one person usually correlate above 0.99 by this rule, a photo with other
tones well below 0.5, but so may two different people with similar skin and lighting: it
says nothing about identity and exists only so the kiosk's flow can be exercised.
Images live in memory only; nothing is logged but the outcome.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from kiosk.contract import FaceVerificationReply

MATCH_THRESHOLD = 0.90
FACE_SIZE = 64
HISTOGRAM_BINS = 32
INNER_FRACTION = 0.8


@functools.cache
def _face_cascade() -> Any:
    import cv2

    folder: str = cv2.data.haarcascades  # type: ignore[attr-defined]
    return cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml")


def _face_histogram(image: bytes) -> Any:
    """The histogram of the largest face's inner part; None when no face is found."""
    import cv2
    import numpy as np

    decoded = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    if decoded is None:
        return None
    faces = _face_cascade().detectMultiScale(decoded, 1.1, 5, minSize=(24, 24))
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda box: box[2] * box[3])
    margin = round(w * (1 - INNER_FRACTION) / 2)
    inner = decoded[y + margin : y + h - margin, x + margin : x + w - margin]
    face = cv2.resize(inner, (FACE_SIZE, FACE_SIZE), interpolation=cv2.INTER_AREA)
    histogram = cv2.calcHist([face], [0], None, [HISTOGRAM_BINS], [0, 256])
    return cv2.normalize(histogram, histogram).flatten()


def compare(sent: bytes, registered: bytes | None) -> FaceVerificationReply:
    """The stand-in rule above, applied to the image sent and the registered one."""
    import cv2

    seen = _face_histogram(sent)
    if seen is None:
        return FaceVerificationReply("retry", 0.0)
    known = _face_histogram(registered) if registered is not None else None
    if known is None:
        return FaceVerificationReply("no_match", 0.0)
    score = min(1.0, max(0.0, float(cv2.compareHist(seen, known, cv2.HISTCMP_CORREL))))
    return FaceVerificationReply("match" if score >= MATCH_THRESHOLD else "no_match", score)


class RegisteredFaces:
    """Each sandbox resident's registered test image (PNG or JPEG bytes), by ID number."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._images: dict[str, bytes] = {}

    def register(self, id_number: str, image: bytes) -> None:
        with self._lock:
            self._images[id_number] = image

    def image(self, id_number: str) -> bytes | None:
        with self._lock:
            return self._images.get(id_number)
