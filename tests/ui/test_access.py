"""Voice prompts, 长辈模式, the print choice by printer health and the paused print, as the
resident meets them on the window (the terminal's side: tests/integration/test_print_pause.py)."""

from __future__ import annotations

import logging
import time
import wave
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk import voice_prompts as prompts
from kiosk.config import ResidentSettings
from kiosk.platform.watch import PlatformStatus
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from kiosk.voice_pack import render_voice_pack
from tests.conftest import require_tool
from tests.reports import make_report
from tests.ui.fakes import FakeActions
from ui import theme
from ui.screens.print_choice import duration
from ui.voice import AplayVoice, scaled_wav
from ui.window import KioskWindow

REPORT = make_report(3)


class FakeVoice:
    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.level = 0

    def play(self, key: str) -> None:
        self.spoken.append(key)

    def set_volume(self, level: int) -> None:
        self.level = level


def view(state: State, **kw: object) -> SessionView:
    return SessionView(number=1, state=state, deadline=time.monotonic() + 30, **kw)  # type: ignore[arg-type]


IDLE = SessionView(number=1, state=State.IDLE, deadline=None)
SHOWING = view(State.SHOWING, report=REPORT, holder_name="测试员甲")


@pytest.fixture
def actions() -> FakeActions:
    return FakeActions()


@pytest.fixture
def voice() -> FakeVoice:
    return FakeVoice()


@pytest.fixture
def window(qtbot: QtBot, actions: FakeActions, voice: FakeVoice) -> KioskWindow:
    resident = ResidentSettings(voice_volume=1, a4_paper_exit="右侧出纸口")
    w = KioskWindow(actions, "新泰市政务服务中心", resident=resident, voice=voice)
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    w.apply(IDLE)
    return w


def test_every_step_speaks_its_prompt_once(window: KioskWindow, voice: FakeVoice) -> None:
    assert voice.spoken == [], "nobody hears the attract screen at start-up"
    steps = [
        view(State.READING),
        view(State.AUTHENTICATING),
        view(State.FETCHING),
        SHOWING,
        SHOWING,  # a touch publishes the same state again: not said twice
    ]
    for step in steps:
        window.apply(step)
    window.report.print.click()
    for step in (
        view(State.PRINTING, report=REPORT),
        view(State.PRINT_PAUSED, report=REPORT),
        view(State.PRINTING, report=REPORT),
        view(State.DONE),
        IDLE,
    ):
        window.apply(step)
    assert voice.spoken == [
        prompts.READING,
        prompts.AUTHENTICATING,
        prompts.FETCHING,
        prompts.REPORT,
        prompts.PRINT_CHOICE,
        prompts.PRINTING,
        prompts.PRINT_PAUSED,
        prompts.PRINTING,
        prompts.DONE,
        prompts.ATTRACT,
    ]
    assert set(voice.spoken) <= set(prompts.PROMPTS)


def test_a_failure_speaks_its_reason_and_an_outage_its_own_prompt(
    window: KioskWindow, voice: FakeVoice
) -> None:
    failure = Failure(FailureReason.CARD_MOVED, State.READING)
    window.apply(view(State.READING))
    window.apply(view(State.FAILED, failure=failure))
    window.apply_platform(PlatformStatus(available=False))
    window.apply(IDLE)
    assert voice.spoken[1:] == [prompts.failed(FailureReason.CARD_MOVED), prompts.OUTAGE]
    assert {prompts.failed(reason) for reason in FailureReason} <= set(prompts.PROMPTS)


def test_volume_cycles_to_mute_and_the_next_session_starts_at_the_configured_level(
    window: KioskWindow, voice: FakeVoice
) -> None:
    assert voice.level == 1 and window.volume.text() == "声音：小"
    seen = []
    for _ in range(3):
        window.volume.click()
        seen.append((voice.level, window.volume.text()))
    assert seen == [(2, "声音：中"), (3, "声音：大"), (0, "声音：静音")]
    assert window.volume.height() >= 80
    window.apply(SHOWING)
    window.apply(IDLE)
    assert voice.level == 1


def label_sizes(window: KioskWindow) -> list[int]:
    return [
        label.font().pixelSize()
        for label in window.findChildren(QLabel)
        if label.isVisibleTo(window) and label.text()
    ]


def test_elder_mode_on_and_off(
    window: KioskWindow, actions: FakeActions, voice: FakeVoice, qtbot: QtBot
) -> None:
    window.volume.click()
    window.volume.click()
    window.volume.click()  # muted
    assert voice.level == 0
    window.attract.elder.click()
    assert actions.calls[-1] == ("elder", True)  # the session holds the flag
    window.apply(SessionView(number=1, state=State.IDLE, deadline=None, elder=True))
    assert window.elder and window.styleSheet() == theme.stylesheet(elder=True)
    assert voice.level >= 2 and voice.spoken[-1] == prompts.ELDER_ON, "长辈模式 turns voice on"
    assert window.attract.elder.text() == "长辈模式 · 已开启"
    assert min(label_sizes(window)) >= 40

    window.apply(view(State.SHOWING, report=REPORT, elder=True))
    assert min(label_sizes(window)) >= 40
    window.report.exit.click()
    assert window.stack.currentWidget() is window.exit_prompt
    assert ("end", None) not in actions.calls
    window.apply(view(State.SHOWING, report=REPORT, elder=True))  # the touch's publish
    assert window.stack.currentWidget() is window.exit_prompt
    window.exit_cancel.click()
    assert window.stack.currentWidget() is window.report
    window.report.exit.click()
    window.exit_confirm.click()
    assert actions.calls[-1] == ("end", None)

    window.apply(IDLE)  # the session ended: the next resident starts in normal mode
    assert not window.elder and window.styleSheet() == theme.stylesheet()
    assert min(label_sizes(window)) < 40
    assert window.attract.elder.text() == "长辈模式"


def test_normal_mode_asks_before_exit_too(window: KioskWindow, actions: FakeActions) -> None:
    window.apply(SHOWING)
    window.report.exit.click()
    assert window.stack.currentWidget() is window.exit_prompt
    window.exit_confirm.click()
    assert actions.calls[-1] == ("end", None)


def test_the_print_choice_offers_what_works_and_says_what_each_print_is(
    window: KioskWindow, voice: FakeVoice
) -> None:
    window.apply(view(State.SHOWING, report=REPORT, a4_pages=7))
    window.report.print.click()
    choice = window.print_choice
    texts = [label.text() for label in choice.findChildren(QLabel) if label.isVisibleTo(choice)]
    assert "完整报告 7 页，可用于办事" in texts
    assert f"约 {duration(20 + 4 * 6)} · 从右侧出纸口取出" in texts
    assert "各类记录的数量摘要，附核验二维码" in texts
    assert choice.both.isVisibleTo(choice) and not choice.nothing.isVisibleTo(choice)

    window.apply(view(State.SHOWING, report=REPORT, printable=frozenset({PrintKind.RECEIPT})))
    assert not choice.boxes[PrintKind.A4].isVisibleTo(choice)
    assert choice.boxes[PrintKind.RECEIPT].isVisibleTo(choice)
    assert not choice.both.isVisibleTo(choice)

    window.apply(view(State.SHOWING, report=REPORT, printable=frozenset()))
    assert choice.nothing.isVisibleTo(choice) and choice.title.text() == "现在无法打印"
    assert not any(box.isVisibleTo(choice) for box in choice.boxes.values())
    choice.cancel.click()
    window.report.print.click()
    assert voice.spoken[-1] == prompts.NOTHING_PRINTS


@pytest.mark.parametrize(
    ("seconds", "said"), [(3, "5 秒"), (12, "15 秒"), (60, "1 分钟"), (61, "2 分钟")]
)
def test_print_time_is_said_rounded_up(seconds: float, said: str) -> None:
    assert duration(seconds) == said


def test_a_paused_print_waits_for_staff_and_can_be_left(
    window: KioskWindow, actions: FakeActions
) -> None:
    window.apply(view(State.PRINTING, report=REPORT))
    window.apply(view(State.PRINT_PAUSED, report=REPORT))
    assert window.stack.currentWidget() is window.print_paused
    window.print_paused.exit.click()
    assert window.stack.currentWidget() is window.exit_prompt
    window.exit_cancel.click()
    assert window.stack.currentWidget() is window.print_paused
    window.print_paused.exit.click()
    window.exit_confirm.click()
    assert actions.calls[-1] == ("end", None)


def test_the_player_is_silent_about_a_missing_file(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player = AplayVoice(tmp_path / "voice")
    with caplog.at_level(logging.WARNING):
        player.play(prompts.ATTRACT)
        player.play(prompts.DONE)
        (tmp_path / "voice").mkdir()
        player.play(prompts.ATTRACT)
        player.play(prompts.ATTRACT)
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 2, "once, as warnings"
    assert "no voice pack" in caplog.records[0].message
    assert "attract.wav not played" in caplog.records[1].message


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("espeak-ng")
    out = tmp_path_factory.mktemp("voice")
    written = render_voice_pack(out, [prompts.ATTRACT, prompts.DONE])
    assert [p.name for p in written] == ["attract.wav", "done.wav"]
    return out


def test_espeak_renders_prompts_as_wav_files(pack: Path) -> None:
    for name in ("attract.wav", "done.wav"):
        data = (pack / name).read_bytes()
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
        with wave.open(str(pack / name)) as rendered:
            assert rendered.getsampwidth() == 2 and rendered.getnchannels() == 1
            assert rendered.getnframes() > rendered.getframerate()  # more than a second
    assert list(pack.glob(".*")) == [], "no partial files left"


def peak(path: Path) -> int:
    with wave.open(str(path)) as source:
        frames = source.readframes(source.getnframes())
    return max(
        abs(int.from_bytes(frames[i : i + 2], "little", signed=True))
        for i in range(0, len(frames), 2)
    )


def test_the_player_pipes_the_scaled_prompt_to_the_player_command(
    qtbot: QtBot, pack: Path, tmp_path: Path
) -> None:
    received = tmp_path / "played.wav"
    fake_aplay = tmp_path / "aplay"
    fake_aplay.write_text(f'#!/bin/sh\n[ "$*" = "-q -" ] && cat > "{received}"\n')
    fake_aplay.chmod(0o755)
    player = AplayVoice(pack, level=1, command=str(fake_aplay))
    player.play(prompts.DONE)
    qtbot.waitUntil(lambda: received.exists() and received.stat().st_size > 0)
    process = player._process
    assert process is not None
    qtbot.waitUntil(lambda: process.state() is process.ProcessState.NotRunning)
    original = (pack / "done.wav").read_bytes()
    assert received.read_bytes() == scaled_wav(original, 0.35)
    assert 0 < peak(received) < peak(pack / "done.wav")


def test_a_missing_player_is_said_once_and_never_raised(
    qtbot: QtBot, pack: Path, caplog: pytest.LogCaptureFixture
) -> None:
    player = AplayVoice(pack, command="/nonexistent/aplay")
    with caplog.at_level(logging.WARNING):
        player.play(prompts.DONE)
        qtbot.waitUntil(lambda: bool(caplog.records))
        player.play(prompts.ATTRACT)
        qtbot.wait(100)
    assert len(caplog.records) == 1 and "did not start" in caplog.text
    player.stop()
