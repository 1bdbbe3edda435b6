"""The camera test for technicians: a few seconds of live picture with what the guidance
finds in it, and the frame rate it runs at. Frames go to the screen only, never stored."""

from __future__ import annotations

import time
from collections.abc import Callable

from devices.base import DeviceError
from devices.camera.base import Camera
from devices.camera.guidance import Hint, assess
from kiosk.diagnostics.checks import Area, Check, Status
from kiosk.diagnostics.device_access import DeviceAccess
from kiosk.face_check import FRAME_TIMEOUT_S, PREVIEW_INTERVAL_S, FacePreview, FaceStage

DETECTIONS = {
    Hint.FACE_THE_CAMERA: "未检测到居中的人脸",
    Hint.COME_CLOSER: "人脸太小（距离太远）",
    Hint.UNCOVER: "检测到人脸，未检测到眼睛",
    Hint.ONE_PERSON: "检测到多张人脸",
    Hint.HOLD_STILL: "检测到一张居中的人脸和眼睛",
}


def _watch(camera: Camera, seconds: float, on_preview: Callable[[FacePreview], None]) -> Check:
    """On the camera's thread, the camera open."""
    started = time.monotonic()
    frames = ready = 0
    shown_at = 0.0
    last = None
    while (now := time.monotonic()) - started < seconds:
        frame = camera.read_frame(FRAME_TIMEOUT_S)
        last = assess(frame)
        frames += 1
        ready += last.ready
        fps = frames / max(time.monotonic() - started, 1e-6)
        if now - shown_at >= PREVIEW_INTERVAL_S:
            shown_at = now
            stage = FaceStage.BLINKING if last.ready else FaceStage.GUIDING
            on_preview(FacePreview(frame, last, stage, fps))
    fps = frames / max(time.monotonic() - started, 1e-6)
    facts = {"frames": frames, "fps": round(fps, 1), "ready_frames": ready}
    if last is None:
        return Check(Area.CAMERA, "live", Status.FAIL, "没有收到画面", facts=facts)
    summary = f"{fps:.1f} 帧/秒，{DETECTIONS[last.hint]}"
    return Check(Area.CAMERA, "live", Status.OK, summary, detail=last.hint.value, facts=facts)


def camera_test(
    access: DeviceAccess, seconds: float, on_preview: Callable[[FacePreview], None]
) -> Check:
    """``seconds`` of live picture to ``on_preview``; the frame rate and the last
    detection as one check."""
    if Area.CAMERA not in access.drivers():
        return Check(Area.CAMERA, "live", Status.SKIPPED, "本机未启用刷脸核验，没有摄像头")
    try:
        return access.call(
            Area.CAMERA, lambda camera: _watch(camera, seconds, on_preview), seconds + 10
        )
    except DeviceError as error:
        return Check(
            Area.CAMERA,
            "live",
            Status.FAIL,
            "摄像头无法使用",
            detail=f"{error.message} [{error.code}]",
            hint=error.technician_hint,
        )
    except TimeoutError:
        return Check(Area.CAMERA, "live", Status.FAIL, "摄像头没有在规定时间内应答")
