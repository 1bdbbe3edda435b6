"""Technician mode on a terminal with the face check: the camera's tile and area, and its
live picture with the frame rate and what the guidance finds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cv2
import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import FaceCheckSettings, Settings, device_settings
from kiosk.diagnostics.checks import Area, Status
from tests.clock import FakeClock
from tests.faces import face_frame
from tests.ui.technician_harness import Kiosk, enter, start_kiosk
from ui.screens.technician_devices import CameraPage

CHECKS_S = 20_000


@pytest.fixture
def camera_kiosk(
    qtbot: QtBot, settings: Settings, wall: FakeClock, tmp_path: Path
) -> Iterator[Kiosk]:
    still = tmp_path / "face.png"
    cv2.imwrite(str(still), face_frame())
    camera = device_settings("camera", "simulated", {"frames": [str(still)]})
    face_check = FaceCheckSettings(enabled=True)
    k = start_kiosk(qtbot, replace(settings, camera=camera, face_check=face_check), wall)
    yield k
    k.stop()


def test_the_camera_area_shows_the_live_picture_and_its_health(
    qtbot: QtBot, camera_kiosk: Kiosk
) -> None:
    enter(qtbot, camera_kiosk)
    screens = camera_kiosk.window.technician
    assert screens is not None and screens.panel is not None
    panel = screens.panel
    summary = panel.summary
    qtbot.waitUntil(lambda: summary.status is not None, timeout=CHECKS_S)
    assert Area.CAMERA in {c.area for c in summary.checks.shown}
    assert summary.status is Status.OK, [c for c in summary.checks.shown if c.status]
    panel.show_area(Area.CAMERA.value)
    page = panel.pages[Area.CAMERA.value]
    assert isinstance(page, CameraPage)
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    health = {c.name: c.status for c in page.checks.shown}
    assert health["health_internal"] is Status.OK
    page.live.click()
    qtbot.waitUntil(lambda: page.view.image is not None, timeout=CHECKS_S)
    assert "帧率" in page.reading.text() and "检测到一张居中的人脸和眼睛" in page.reading.text()
    qtbot.waitUntil(lambda: not page.busy, timeout=CHECKS_S)
    qtbot.waitUntil(lambda: "camera_live" in camera_kiosk.actions())
