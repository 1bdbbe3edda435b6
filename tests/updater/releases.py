"""Small release bundles whose app wheel holds a ``kiosk`` package (so "its Python imports
kiosk" can be checked without building the real app), published to throwaway repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.tuf_repository import make_bundle


def small_bundle(directory: Path, version: str) -> Path:
    """``directory`` as a release bundle of ``version``: our wheel (a ``kiosk`` package
    saying its version) and two dependency wheels shared by every version."""
    return make_bundle(
        directory, version, app_files={"kiosk/__init__.py": f'RELEASE = "{version}"\n'.encode()}
    )


def release_imports_kiosk(link: Path) -> str:
    """The version the ``kiosk`` package of the release behind ``link`` says it is, as its
    own virtualenv's Python imports it (raises when it cannot)."""
    python = link / "venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", "import kiosk; print(kiosk.RELEASE)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd="/",  # not a checkout's own kiosk/
    )
    return result.stdout.strip()
