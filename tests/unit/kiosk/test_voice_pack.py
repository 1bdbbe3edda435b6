"""The voice pack completes itself: missing prompts are rendered, recorded ones kept."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from kiosk import voice_pack
from tests.conftest import require_tool


def test_only_the_missing_prompts_are_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tool("espeak-ng")
    monkeypatch.setattr(voice_pack, "PROMPTS", {"attract": "您好", "done": "打印完成"})
    recorded = tmp_path / "attract.wav"
    recorded.write_bytes(b"a recorded human voice")
    assert voice_pack.render_missing(tmp_path) == [tmp_path / "done.wav"]
    assert recorded.read_bytes() == b"a recorded human voice"
    with wave.open(str(tmp_path / "done.wav")) as rendered:
        assert rendered.getnframes() > 0
    assert voice_pack.render_missing(tmp_path) == []
