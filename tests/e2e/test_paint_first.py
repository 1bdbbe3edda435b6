"""Paint first: the attract screen is painted before the heavy modules load, and a card laid
at that moment, before the core has started, is still read and leads to a report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_first_frame_comes_before_heavy_modules_and_an_early_card_is_read(
    tmp_path: Path,
) -> None:
    shot = tmp_path / "first-frame.png"
    result = subprocess.run(
        [sys.executable, "-m", "tests.first_frame_worker", str(shot)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["attract_shown_at_first_frame"]
    assert seen["loaded_at_first_frame"] == []
    assert seen["exit_code"] == 0, seen["states"]
    # A state may be published more than once (a new view of the same state): its sequence.
    states = [s for i, s in enumerate(seen["states"]) if i == 0 or s != seen["states"][i - 1]]
    assert states[-5:] == ["reading", "consent", "authenticating", "fetching", "showing"]
    assert "requests" in seen["loaded_when_report_shown"]  # the probe does see a loaded module
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1920, 1080)
