"""What a terminal installs, and what a newcomer sees first (README.md on a fresh clone)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ui.screenshots import in_readme

ROOT = Path(__file__).parents[2]


def test_the_wheel_a_terminal_installs_holds_no_sandbox_nor_fleet(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        if os.environ.get("CI") == "true":
            pytest.fail("uv is missing (make env-test installs it)")
        pytest.skip("uv is missing")
    subprocess.run(
        [uv, "build", "--wheel", "--offline", "--out-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        capture_output=True,
        check=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("taihaoban_kiosk-*.whl")
    archive = zipfile.ZipFile(wheel)
    tops = {name.split("/")[0] for name in archive.namelist()}
    assert {"kiosk", "devices", "offline_cache", "ui"} <= tops
    assert not {"sandbox", "fleet"} & tops
    # The operators' tool is its own distribution (tools/taihaoban-release): no terminal gets
    # a taihaoban-release script that cannot import its module.
    [entry_points] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "taihaoban-release" not in archive.read(entry_points).decode()
    assert "taihaoban-kiosk = ui.cli:main" in archive.read(entry_points).decode()


def test_every_readme_image_is_committed_and_refreshed_by_make_screenshots() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", (ROOT / "README.md").read_text("utf-8"))
    assert images, "the README shows screens"
    committed = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs/screenshots").glob("*.png")}
    assert set(images) <= committed, "every image the README shows is in the repository"
    assert all(in_readme(Path(image).stem) for image in committed), "none is stale"
