"""The voice pack: one WAV per prompt key, spoken by espeak-ng's Mandarin voice (``cmn``).

``make voice`` (``taihaoban-kiosk voice-pack``) renders every prompt of
``kiosk.voice_prompts`` into the configured directory. A recorded human voice replaces a
prompt by a file of the same name (``<key>.wav``, 16-bit PCM); renders overwrite only the
keys asked for (``--only``), so keep recordings out of a full render, or render first.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from kiosk.config import Settings
from kiosk.voice_prompts import PROMPTS

ESPEAK = "espeak-ng"
VOICE = "cmn"
SPEED_WPM = 150
"""Words (here: syllables) a minute: a little slower than espeak-ng's 175, for older ears."""


class VoicePackError(RuntimeError):
    """espeak-ng is missing or failed; the message says which prompt."""


def voice_dir(settings: Settings) -> Path:
    """Where the kiosk looks for the voice pack."""
    return settings.resident.voice_dir or settings.terminal.state_dir / "voice"


def render_voice_pack(out_dir: Path, keys: Iterable[str] = PROMPTS) -> list[Path]:
    """``<key>.wav`` for each of ``keys`` into ``out_dir``; returns the files written."""
    if shutil.which(ESPEAK) is None:
        raise VoicePackError(f"{ESPEAK} is not installed (apt install espeak-ng)")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for key in keys:
        path = out_dir / f"{key}.wav"
        partial = path.with_name(f".{path.name}.partial")
        # Niced: a first start renders the pack while residents may already be served.
        command = ["nice", "-n", "19", ESPEAK, "-v", VOICE, "-s", str(SPEED_WPM)]
        try:
            subprocess.run(
                [*command, "-w", str(partial), PROMPTS[key]],
                check=True,
                capture_output=True,
                timeout=60,
            )
        except subprocess.CalledProcessError as error:
            stderr = error.stderr.decode(errors="replace").strip()
            raise VoicePackError(f"{ESPEAK} failed on {key!r}: {stderr}") from None
        partial.replace(path)  # a player never sees half a file
        written.append(path)
    return written


def render_missing(out_dir: Path) -> list[Path]:
    """The prompts the pack lacks (a first start, or a release with new prompts), rendered;
    a file already there, a recorded human voice included, is never replaced."""
    missing = [key for key in PROMPTS if not (out_dir / f"{key}.wav").exists()]
    return render_voice_pack(out_dir, missing) if missing else []
