"""``POST /api/v1/face-verifications`` between the client and the sandbox: the stand-in rule's
three answers, the resident token it needs, and the outcome-only outbox kind it accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import cv2
import pytest

from devices.camera.guidance import assess, face_crop_jpeg
from kiosk.contract import EventsAck, FaceCheck, FaceCheckEvent
from kiosk.platform.client import PlatformClient, SessionExpired
from sandbox import faces, population
from sandbox.server import Sandbox, start_sandbox
from tests.faces import blank_frame, face_frame, registered_photo

TERMINAL = "XT-FACE-1"
SECRET = b"face-test-secret"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: SECRET}) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox.url, TERMINAL, SECRET, retries=0) as platform:
        yield platform


def the_face() -> bytes:
    frame = face_frame()
    return face_crop_jpeg(frame, assess(frame).faces[0])


def token_for(client: PlatformClient, key: str) -> str:
    return client.open_resident_session(population.by_key(key).card())


def test_the_registered_face_matches_and_another_does_not(
    sandbox: Sandbox, client: PlatformClient
) -> None:
    sandbox.register_face(population.by_key("r01").card().id_number, registered_photo())
    sandbox.register_face(population.by_key("r02").card().id_number, registered_photo(True))
    match = client.verify_face(token_for(client, "r01"), the_face())
    assert match.outcome == "match" and match.score >= faces.MATCH_THRESHOLD
    other = client.verify_face(token_for(client, "r02"), the_face())
    assert other.outcome == "no_match" and other.score < faces.MATCH_THRESHOLD


def test_no_face_in_the_image_asks_to_retry_and_no_registered_image_is_no_match(
    client: PlatformClient,
) -> None:
    ok, wall = cv2.imencode(".jpg", blank_frame())
    assert ok
    token = token_for(client, "r04")
    assert client.verify_face(token, bytes(wall.tobytes())).outcome == "retry"
    unregistered = client.verify_face(token, the_face())
    assert (unregistered.outcome, unregistered.score) == ("no_match", 0.0)


def test_a_face_needs_a_valid_resident_session(client: PlatformClient) -> None:
    with pytest.raises(SessionExpired):
        client.verify_face("not-a-token", the_face())


def test_the_platform_accepts_the_outcome_only_outbox_kind(
    sandbox: Sandbox, client: PlatformClient
) -> None:
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    event = FaceCheckEvent(
        idempotency_key="face-1",
        occurred_at=at,
        payload=FaceCheck(outcome="no_match", attempts=3, terminal_id=TERMINAL, at=at),
    )
    assert client.post_terminal_events([event]) == EventsAck(("face-1",), (), ())
    assert sandbox.accepted_keys(TERMINAL)["face-1"] == "face_check"
