"""The simulated camera: frames from files or a clip, paced, and its scripted faults as
its health check and the diagnostics see them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.base import HealthLevel, NotFound
from devices.camera.simulated import SimulatedCamera, SimulatedCameraOptions
from devices.faults import FaultScript
from devices.printers.kept_jobs import KeptJobStore
from devices.registry import load_camera
from kiosk.config import device_settings
from kiosk.diagnostics.camera_checks import camera_test
from kiosk.diagnostics.checks import Area, Status
from kiosk.diagnostics.device_access import LocalDevices
from kiosk.diagnostics.device_checks import device_checks
from kiosk.face_check import FacePreview
from tests.faces import blank_frame, face_frame


def camera(faults: tuple[str, ...] = (), frames: int = 3) -> SimulatedCamera:
    return SimulatedCamera([face_frame()] * frames, fps=200.0, faults=FaultScript(list(faults)))


def test_frames_come_from_image_files_and_from_a_clip(tmp_path: Path) -> None:
    still = tmp_path / "face.png"
    cv2.imwrite(str(still), face_frame())
    clip = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), 15, (640, 480))
    for _ in range(5):
        writer.write(blank_frame())
    writer.release()
    for paths, count in (((str(still),), 1), ((str(clip),), 5)):
        options = SimulatedCameraOptions(frames=paths, fps=200.0)
        device = load_camera("simulated", options)
        assert isinstance(device, SimulatedCamera)
        device.open()
        frames = [device.read_frame(1.0) for _ in range(count + 1)]
        device.close()
        assert all(f.shape == (480, 640, 3) for f in frames)
        assert np.array_equal(frames[0][1:], frames[count][1:])  # it loops


def test_options_refuse_a_missing_file_and_a_bad_fault() -> None:
    with pytest.raises(ValueError, match="frames"):
        SimulatedCameraOptions(frames=("/nonexistent.png",))
    with pytest.raises(ValueError, match="faults"):
        SimulatedCameraOptions(faults=("black",))


def test_a_healthy_camera_passes_its_checks() -> None:
    for level in HealthLevel:
        report = camera().check_health(level)
        assert report.ok, report.text


@pytest.mark.parametrize(
    ("fault", "words"),
    [("black_after_frame:0", "black"), ("frozen_after_frame:1", "frozen")],
)
def test_black_and_frozen_pictures_fail_the_external_check(fault: str, words: str) -> None:
    device = camera((fault,))
    assert device.check_health(HealthLevel.INTERNAL).ok  # the camera is there: no picture
    report = device.check_health(HealthLevel.EXTERNAL)
    assert not report.ok and words in report.text


def test_a_missing_camera_cannot_be_opened() -> None:
    device = camera(("missing_after_open:0",))
    with pytest.raises(NotFound):
        device.open()
    assert not device.check_health(HealthLevel.INTERNAL).ok
    assert device.last_fault is not None and device.last_fault.code == "not_found"


def local(tmp_path: Path, faults: list[str]) -> LocalDevices:
    settings = device_settings("camera", "simulated", {"faults": faults})
    return LocalDevices({Area.CAMERA: settings}, KeptJobStore(tmp_path, b"k" * 32))


def test_the_diagnostics_check_the_camera(tmp_path: Path) -> None:
    access = local(tmp_path, ["black_after_frame:0"])
    checks = {c.name: c for c in device_checks(access, Area.CAMERA, HealthLevel.EXTERNAL)}
    assert checks["driver"].status is Status.OK
    assert checks["health_internal"].status is Status.OK
    assert checks["health_external"].status is Status.FAIL
    assert "black" in checks["health_external"].detail
    access.close()


def test_the_camera_test_shows_frames_and_says_what_it_found(tmp_path: Path) -> None:
    access = local(tmp_path, [])
    shown: list[FacePreview] = []
    check = camera_test(access, 0.5, shown.append)
    access.close()
    assert check.status is Status.OK
    assert shown and isinstance(check.facts["fps"], float) and check.facts["frames"] >= 1
    assert check.detail == "face_the_camera"  # the default picture: a grey wall
