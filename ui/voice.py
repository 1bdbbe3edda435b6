"""Speaking the prompts: which key each screen speaks, and the player.

Player: ``aplay`` (alsa-utils) run through QProcess, not Qt Multimedia. Qt Multimedia ships in
PySide6-Addons, a 175 MB wheel that would nearly triple every release bundle sent to the 92
terminals, for playing a few short WAV files. The volume is applied here, to the samples:
aplay has no volume option and the ALSA mixer is shared with the rest of the system. The
prompt is read with ``wave``, its 16-bit samples scaled with numpy (already a dependency; a
Python loop over ``array`` took 80 ms a prompt on the GUI thread) and the result written to
aplay's stdin (``aplay -``): no temporary file, and a recorded human voice (any 16-bit PCM WAV
of the same name) is scaled the same way as the rendered one. One prompt at a time: a new
one stops the old. Nothing about the voice is ever an error on screen: a missing file, a
missing aplay or a failing sound card is logged once as a warning and the kiosk stays silent.
"""

from __future__ import annotations

import io
import logging
import wave
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QProcess

from kiosk import voice_prompts as prompts
from kiosk.session import SessionView, State

log = logging.getLogger(__name__)

STATE_PROMPTS: dict[State, str] = {
    State.IDLE: prompts.ATTRACT,
    State.READING: prompts.READING,
    State.CONSENT: prompts.CONSENT,
    State.ENTERPRISE_CODE: prompts.ENTERPRISE_CODE,
    State.AUTHENTICATING: prompts.AUTHENTICATING,
    State.FETCHING: prompts.FETCHING,
    State.SHOWING: prompts.REPORT,
    State.PRINTING: prompts.PRINTING,
    State.PRINT_PAUSED: prompts.PRINT_PAUSED,
    State.DONE: prompts.DONE,
}
"""What each session state says when its screen appears: a new state speaks by one entry
here (FAILED speaks its reason, see ``prompt_for``)."""

VOLUMES = (0.0, 0.35, 0.65, 1.0)
"""Gain per volume level: 0 mute, 1 low, 2 medium, 3 loud."""
ELDER_MIN_VOLUME = 2
"""长辈模式 turns the voice on: at least this level."""


def prompt_for(view: SessionView, platform_available: bool = True) -> str | None:
    """The key the screen for ``view`` speaks as it appears."""
    if view.state is State.FAILED:
        return prompts.failed(view.failure.reason) if view.failure is not None else None
    if view.card_away:
        return prompts.CARD_AWAY
    if view.state is State.FACE_CHECK:
        attempt = view.face_attempt
        return (
            prompts.FACE_CONSENT
            if attempt == 0
            else (prompts.FACE_CHECK, prompts.FACE_RETRY)[attempt > 1]
        )
    if view.asking:
        return prompts.STILL_THERE
    if view.state is State.IDLE and view.card_on_reader:
        return prompts.TAKE_CARD
    if view.state is State.IDLE and not platform_available:
        return prompts.OUTAGE
    return STATE_PROMPTS.get(view.state)


class Voice(Protocol):
    level: int
    """The volume level (an index into ``VOLUMES``)."""

    def play(self, key: str) -> None: ...
    def set_volume(self, level: int) -> None: ...


def scaled_wav(data: bytes, gain: float) -> bytes:
    """The WAV ``data`` with its samples times ``gain`` (16-bit PCM; other widths as they
    are). Raises wave.Error for data that is not a WAV file."""
    with wave.open(io.BytesIO(data)) as source:
        params = source.getparams()
        frames = source.readframes(params.nframes)
    if params.sampwidth != 2 or gain == 1.0:
        return data
    import numpy  # start-up: loaded with the first prompt, not before the first frame

    samples = numpy.frombuffer(frames, dtype="<i2") * gain  # gain ≤ 1: never out of range
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setparams(params)
        target.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


class AplayVoice(QObject):
    """Plays ``<directory>/<key>.wav`` through ``aplay``; see the module docstring."""

    def __init__(self, directory: Path, level: int = 2, command: str = "aplay") -> None:
        super().__init__()
        self.directory = directory
        self.level = level
        self._command = command
        self._process: QProcess | None = None
        self._warned: set[str] = set()

    def set_volume(self, level: int) -> None:
        self.level = level
        if level == 0:
            self.stop()

    def play(self, key: str) -> None:
        self.stop()
        if self.level == 0:
            return
        path = self.directory / f"{key}.wav"
        try:
            data = scaled_wav(path.read_bytes(), VOLUMES[self.level])
        except (OSError, wave.Error, EOFError) as error:
            if not self.directory.is_dir():  # no pack at all: one warning, not one a prompt
                self._warn_once("pack", "no voice pack in %s (make voice renders it)", path.parent)
            else:
                self._warn_once(f"file:{key}", "voice prompt %s not played: %s", path, error)
            return
        process = QProcess(self)
        process.errorOccurred.connect(self._failed_to_start)
        process.finished.connect(self._finished)
        process.start(self._command, ["-q", "-"])
        process.write(data)
        process.closeWriteChannel()
        self._process = process

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.finished.disconnect(self._finished)
        if process.state() is not QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(1000)
        process.deleteLater()

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error is QProcess.ProcessError.FailedToStart:
            self._warn_once("start", "voice prompts silent: %s did not start", self._command)

    def _finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        process = self.sender()
        if exit_code != 0 and isinstance(process, QProcess):
            stderr = bytes(process.readAllStandardError().data()).decode(errors="replace")
            self._warn_once("exit", "voice prompts silent: %s failed: %s", self._command, stderr)

    def _warn_once(self, what: str, message: str, *args: object) -> None:
        if what not in self._warned:
            self._warned.add(what)
            log.warning(message, *args)


class NoVoice:
    """No player (tests, the benches): every prompt is silent; the level is only kept."""

    def __init__(self) -> None:
        self.level = 0

    def play(self, key: str) -> None: ...

    def set_volume(self, level: int) -> None:
        self.level = level
