"""The face guidance on still images and the blink challenge on scripted detections."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from devices.camera.guidance import (
    Blink,
    BlinkChallenge,
    Hint,
    assess,
    face_crop_jpeg,
    find_faces,
)
from tests.faces import (
    HEIGHT,
    WIDTH,
    Frame,
    blank_frame,
    face_frame,
    landscape_frame,
    two_faces,
)


def test_the_astronaut_photo_has_one_face_where_she_is() -> None:
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    faces = find_faces(photo)
    assert len(faces) == 1
    x, y, w, h = faces[0]
    assert 150 < x + w / 2 < 300 and 60 < y + h / 2 < 180  # her face, not the flag or suit


def test_a_centred_face_of_usable_size_with_open_eyes_is_ready() -> None:
    result = assess(face_frame())
    assert result.hint is Hint.HOLD_STILL and result.ready
    assert len(result.faces) == 1
    assert len(result.eyes) == 2


@pytest.mark.parametrize("frame", [blank_frame(), landscape_frame()], ids=["wall", "landscape"])
def test_no_face_asks_to_face_the_camera(frame: Frame) -> None:
    result = assess(frame)
    assert result.faces == ()
    assert result.hint is Hint.FACE_THE_CAMERA and not result.ready


def test_two_faces_ask_for_one_person() -> None:
    result = assess(two_faces())
    assert len(result.faces) == 2
    assert result.hint is Hint.ONE_PERSON


def test_a_face_too_far_away_asks_to_come_closer() -> None:
    far = cv2.resize(face_frame(), None, fx=0.55, fy=0.55, interpolation=cv2.INTER_AREA)
    frame = blank_frame()
    top, left = (HEIGHT - far.shape[0]) // 2, (WIDTH - far.shape[1]) // 2
    frame[top : top + far.shape[0], left : left + far.shape[1]] = far
    result = assess(frame)
    assert len(result.faces) == 1
    assert result.hint is Hint.COME_CLOSER


def test_an_off_centre_face_asks_to_face_the_camera() -> None:
    shifted = np.roll(face_frame(), -180, axis=1)
    result = assess(shifted)
    assert len(result.faces) == 1  # found, but not in the middle
    assert result.hint is Hint.FACE_THE_CAMERA


def test_a_face_whose_eyes_are_not_found_asks_to_uncover() -> None:
    result = assess(face_frame(eyes_closed=True))
    assert len(result.faces) == 1 and result.eyes == ()
    assert result.hint is Hint.UNCOVER


def test_the_face_crop_is_a_jpeg_made_in_memory() -> None:
    frame = face_frame()
    image = face_crop_jpeg(frame, assess(frame).faces[0])
    assert image[:3] == b"\xff\xd8\xff"
    decoded = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
    assert len(find_faces(decoded)) == 1


def run(challenge: BlinkChallenge, seen: list[tuple[bool, float]]) -> list[Blink]:
    return [challenge.observe(eyes, at) for eyes, at in seen]


def test_a_blink_is_open_then_closed_then_open() -> None:
    states = run(BlinkChallenge(), [(True, 0.0), (True, 0.1), (False, 0.2), (True, 0.4)])
    assert states == [Blink.EYES_OPEN, Blink.EYES_OPEN, Blink.EYES_CLOSED, Blink.DONE]


def test_eyes_never_open_never_pass() -> None:
    states = run(BlinkChallenge(), [(False, t / 10) for t in range(50)])
    assert set(states) == {Blink.WAITING}


def test_open_eyes_that_never_close_do_not_pass() -> None:
    states = run(BlinkChallenge(within_s=2.0), [(True, t / 10) for t in range(60)])
    assert Blink.DONE not in states


def test_a_blink_too_slow_starts_over() -> None:
    challenge = BlinkChallenge(within_s=1.0, longest_closed_s=5.0)
    states = run(challenge, [(True, 0.0), (False, 0.5), (True, 1.5)])
    assert states[-1] is Blink.EYES_OPEN  # started over at 1.5 s, eyes open
    assert run(challenge, [(False, 1.7), (True, 1.9)]) == [Blink.EYES_CLOSED, Blink.DONE]


def test_eyes_closed_too_long_is_not_a_blink() -> None:
    challenge = BlinkChallenge(within_s=10.0, longest_closed_s=1.0)
    states = run(challenge, [(True, 0.0), (False, 0.2), (False, 1.5), (True, 1.6)])
    assert states == [Blink.EYES_OPEN, Blink.EYES_CLOSED, Blink.WAITING, Blink.EYES_OPEN]


def test_the_detections_of_a_real_blink_clip_pass() -> None:
    clip = [face_frame()] * 3 + [face_frame(eyes_closed=True)] * 2 + [face_frame()] * 2
    challenge = BlinkChallenge()
    states = [challenge.observe(assess(frame).ready, i / 15) for i, frame in enumerate(clip)]
    assert states[-1] is Blink.DONE
    assert states.index(Blink.EYES_CLOSED) == 3
