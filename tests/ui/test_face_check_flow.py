"""The face check through the window, with the simulated camera and the sandbox platform:
a match, no match three times, the face consent refused, and a camera that is not there.
And the privacy of it: no image bytes reach the disk, a log line or the outbox."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from devices.camera.simulated import SimulatedCamera
from kiosk.config import FaceCheckSettings, SessionSettings, Settings, device_settings
from kiosk.contract import FaceVerificationReply
from kiosk.demo import DemoCard, DemoEnvironment
from kiosk.runtime import Runtime, build_runtime
from kiosk.session import FailureReason, State
from sandbox import population
from tests.faces import blink_clip, registered_photo
from tests.kiosk_harness import consent_when_asked
from ui.bridge import SessionBridge
from ui.camera_frames import CameraFrame
from ui.window import KioskWindow

WINDOW = "5号窗口"
JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass
class Kiosk:
    window: KioskWindow
    runtime: Runtime
    frames: list[CameraFrame]
    sent: list[bytes]
    """Every image the terminal sent to the platform (a spy on the client)."""

    @property
    def camera(self) -> SimulatedCamera:
        camera = self.runtime.terminal.devices.camera
        assert isinstance(camera, SimulatedCamera)
        return camera

    def outbox(self, kind: str) -> list[dict[str, Any]]:
        return [i.payload for i in self.runtime.outbox.peek(1000) if i.kind == kind]

    def lay_card(self) -> None:
        reader = self.runtime.terminal.devices.reader
        reader.lay_card(population.richest_resident().key)  # type: ignore[attr-defined]

    def state(self) -> State | None:
        view = self.window.view
        return None if view is None else view.state


def face_settings(
    demo: DemoEnvironment, state_dir: Path, camera_faults: tuple[str, ...]
) -> Settings:
    assert demo.settings is not None
    return replace(
        demo.settings,
        terminal=replace(demo.settings.terminal, state_dir=state_dir, service_window=WINDOW),
        camera=device_settings("camera", "simulated", {"faults": list(camera_faults)}),
        face_check=FaceCheckSettings(enabled=True),
        session=SessionSettings(face_check_timeout_s=30.0, failed_timeout_s=60.0),
    )


def start(qtbot: QtBot, settings: Settings, cards: list[DemoCard]) -> Kiosk:
    bridge = SessionBridge()
    frames: list[CameraFrame] = []
    runtime = build_runtime(
        settings, bridge.publish, bridge.publish_platform, on_face_preview=bridge.publish_face
    )
    window = KioskWindow(
        runtime.terminal,
        "新泰市政务服务中心",
        service_window=WINDOW,
        face_attempts=settings.face_check.attempts,
    )
    bridge.changed.connect(window.apply)
    bridge.changed.connect(lambda view: consent_when_asked(view, window.consent.agree.click))
    bridge.camera_frame.connect(window.show_camera_frame)
    bridge.camera_frame.connect(frames.append)
    window.bridge = bridge
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    sent: list[bytes] = []
    verify = runtime.platform.verify_face

    def spy(token: str, image: bytes) -> FaceVerificationReply:
        sent.append(image)
        return verify(token, image)

    runtime.platform.verify_face = spy  # type: ignore[method-assign]
    kiosk = Kiosk(window, runtime, frames, sent)
    reader = runtime.terminal.devices.reader
    reader.cards.update({c.key: c.card for c in cards})  # type: ignore[attr-defined]
    if isinstance(runtime.terminal.devices.camera, SimulatedCamera):
        kiosk.camera.play(blink_clip())
    runtime.watch.start()
    runtime.terminal.start()  # the drain is not started: what is queued stays for the test
    runtime.terminal.wait_for_health_checks(10.0)
    qtbot.waitUntil(lambda: kiosk.state() is State.IDLE)
    return kiosk


@pytest.fixture
def camera_faults() -> tuple[str, ...]:
    return ()


@pytest.fixture
def kiosk(
    qtbot: QtBot, demo: DemoEnvironment, tmp_path: Path, camera_faults: tuple[str, ...]
) -> Iterator[Kiosk]:
    k = start(qtbot, face_settings(demo, tmp_path / "state", camera_faults), demo.cards)
    yield k
    k.runtime.stop()
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    k.window.close()


def register(demo: DemoEnvironment, other_person: bool) -> None:
    assert demo.sandbox is not None
    resident = population.richest_resident().card()
    demo.sandbox.register_face(resident.id_number, registered_photo(other_person))


def consent(qtbot: QtBot, kiosk: Kiosk) -> None:
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is kiosk.window.face_consent)
    view = kiosk.window.view
    assert view is not None and view.face_check and view.report is None
    qtbot.mouseClick(kiosk.window.face_consent.agree, Qt.MouseButton.LeftButton)


def test_a_match_shows_the_report(qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment) -> None:
    register(demo, other_person=False)
    kiosk.lay_card()
    consent(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is kiosk.window.face_check)
    qtbot.waitUntil(lambda: kiosk.state() is State.SHOWING, timeout=30_000)
    assert kiosk.window.stack.currentWidget() is kiosk.window.report
    assert kiosk.frames, "the live picture reached the screen"
    assert all(f.image.width() == 640 for f in kiosk.frames)
    assert len(kiosk.sent) == 1 and kiosk.sent[0][:3] == JPEG_MAGIC
    assert kiosk.outbox("face_check") == [
        {
            "outcome": "match",
            "attempts": 1,
            "terminal_id": kiosk.runtime.terminal.terminal_id,
            "at": kiosk.outbox("face_check")[0]["at"],
        }
    ]
    assert kiosk.camera.state.value == "closed"  # its light is off once the check is done


def test_no_match_three_times_sends_the_resident_to_the_window(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    register(demo, other_person=True)
    attempts_seen: list[int] = []
    kiosk.window.bridge.changed.connect(
        lambda view: (
            attempts_seen.append(view.face_attempt) if view.state is State.FACE_CHECK else None
        )
    )
    kiosk.lay_card()
    consent(qtbot, kiosk)
    qtbot.waitUntil(lambda: kiosk.state() is State.FAILED, timeout=60_000)
    view = kiosk.window.view
    assert view is not None and view.failure is not None
    assert view.failure.reason is FailureReason.FACE_MISMATCH
    assert view.holder_name == "" and view.report is None  # the session is wiped
    assert sorted(set(attempts_seen)) == [0, 1, 2, 3]  # the consent (0), then each attempt
    assert len(kiosk.sent) == 3
    assert WINDOW in kiosk.window.failure.detail.text()
    [outcome] = kiosk.outbox("face_check")
    assert (outcome["outcome"], outcome["attempts"]) == ("no_match", 3)
    assert "FETCHING" not in {e.get("outcome") for e in kiosk.outbox("query_record")}


def test_refusing_the_face_check_ends_the_session_calmly(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.lay_card()
    qtbot.waitUntil(lambda: kiosk.window.stack.currentWidget() is kiosk.window.face_consent)
    assert WINDOW in " ".join(
        w.text() for w in kiosk.window.face_consent.findChildren(type(kiosk.window.countdown))
    )
    qtbot.mouseClick(kiosk.window.face_consent.refuse, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.state() is State.FAILED)
    view = kiosk.window.view
    assert view is not None and view.failure is not None
    assert view.failure.reason is FailureReason.FACE_CHECK_REFUSED
    assert view.holder_name == ""
    assert WINDOW in kiosk.window.failure.detail.text()
    assert kiosk.sent == [] and kiosk.frames == []
    assert [e["outcome"] for e in kiosk.outbox("face_check")] == ["refused"]


@pytest.mark.parametrize("camera_faults", [("missing_after_open:0",)])
def test_a_missing_camera_turns_the_check_off_with_a_technician_fault(
    qtbot: QtBot, kiosk: Kiosk
) -> None:
    faults = [f for f in kiosk.outbox("device_fault") if f.get("device") == "camera"]
    assert faults and faults[0]["code"] == "health_check_failed"
    states: list[State] = []
    kiosk.window.bridge.changed.connect(lambda view: states.append(view.state))
    kiosk.lay_card()
    qtbot.waitUntil(lambda: kiosk.state() is State.SHOWING, timeout=30_000)
    assert State.FACE_CHECK not in states
    view = kiosk.window.view
    assert view is not None and not view.face_check  # the consent step says: card only
    assert [e["outcome"] for e in kiosk.outbox("face_check")] == ["camera_unavailable"]


def test_no_image_reaches_disk_log_or_outbox(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment, tmp_path: Path
) -> None:
    lines: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: lines.append(  # type: ignore[method-assign]
        record.getMessage() + repr(record.args) + str(record.exc_info)
    )
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        register(demo, other_person=True)  # three images sent, then the session fails
        kiosk.lay_card()
        consent(qtbot, kiosk)
        qtbot.waitUntil(lambda: kiosk.state() is State.FAILED, timeout=60_000)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert len(kiosk.sent) == 3
    sizes = {len(image) for image in kiosk.sent} | {640 * 480 * 3}
    for folder in (tmp_path, demo.root):
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                assert JPEG_MAGIC not in content, path
                assert len(content) not in sizes, path
    logged = "\n".join(lines)
    assert lines and "face verification" in logged
    assert "/9j/" not in logged  # a JPEG in base64
    for image in kiosk.sent:
        assert image.hex()[:64] not in logged
    payloads = repr([i.payload for i in kiosk.runtime.outbox.peek(1000)])
    assert "/9j/" not in payloads and "score" not in payloads and "image" not in payloads
