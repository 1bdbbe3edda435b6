"""The face check: how fast the guidance runs, and how long from "face centred" to verdict.

1. The guidance loop (``devices.camera.guidance.assess``: Haar face and eye detection) over
   640 × 480 frames of a centred face, frames per second, on this machine.
2. The simulated camera at 15 frames/s plays a resident who looks at the camera and blinks;
   ``kiosk.face_check.capture_face`` guides, challenges and captures, and the platform
   client sends the face to the sandbox platform in this process, on loopback, which
   compares it by its stand-in rule. Measured: from the first frame with the face centred
   (blink challenge begins) to the captured frame, then to the verdict.
"""

from __future__ import annotations

import secrets
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from devices.camera.guidance import assess
from devices.camera.simulated import SimulatedCamera
from kiosk.face_check import FacePreview, FaceStage, capture_face
from kiosk.platform.client import PlatformClient
from sandbox import population
from sandbox.server import start_sandbox
from tests.faces import blink_clip, face_frame, registered_photo

GUIDANCE_FRAMES = 60
ROUNDS = 10
TERMINAL_ID = "XT-BENCH-FACE"


def _guidance_fps() -> float:
    frame = face_frame()
    assess(frame)  # the cascades load once
    started = time.perf_counter()
    for _ in range(GUIDANCE_FRAMES):
        assess(frame)
    return GUIDANCE_FRAMES / (time.perf_counter() - started)


def _centred_to_verdict(client: PlatformClient, token: str) -> tuple[float, float, str]:
    """(seconds from face centred to the captured frame, to the verdict; the outcome)."""
    camera = SimulatedCamera(blink_clip(), fps=15.0)
    centred_at: list[float] = []

    def seen(preview: FacePreview) -> None:
        if preview.stage is not FaceStage.GUIDING and not centred_at:
            centred_at.append(time.perf_counter())

    camera.open()
    try:
        image = capture_face(camera, seen, threading.Event(), time.monotonic() + 30)
    finally:
        camera.close()
    captured_at = time.perf_counter()
    assert image is not None and centred_at
    reply = client.verify_face(token, image)
    verdict_at = time.perf_counter()
    return captured_at - centred_at[0], verdict_at - centred_at[0], reply.outcome


def run(emit: Callable[..., Any]) -> None:
    emit("face_guidance", fps=round(_guidance_fps(), 1), frame="640x480")
    secret = secrets.token_bytes(32)
    resident = population.richest_resident().card()
    with start_sandbox({TERMINAL_ID: secret}) as sandbox:
        sandbox.register_face(resident.id_number, registered_photo())
        with PlatformClient(sandbox.url, TERMINAL_ID, secret) as client:
            token = client.open_resident_session(resident)
            runs = [_centred_to_verdict(client, token) for _ in range(ROUNDS)]
    assert {outcome for _, _, outcome in runs} == {"match"}
    emit(
        "face_centred_to_verdict",
        capture_p50_s=round(statistics.median(r[0] for r in runs), 3),
        verdict_p50_s=round(statistics.median(r[1] for r in runs), 3),
        verdict_max_s=round(max(r[1] for r in runs), 3),
        runs=ROUNDS,
        camera_fps=15,
    )
