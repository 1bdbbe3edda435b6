"""Small release bundles whose app wheel holds a ``kiosk`` package (so "its Python imports
kiosk" can be checked without building the real app), published to throwaway repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import msgspec

from kiosk.contract import ReleaseManifest
from tests.tuf_repository import APP_DISTRIBUTION, make_wheel

DEPENDENCIES = (("tiny-dep", "1.0"), ("other-dep", "2.0"))


def small_bundle(directory: Path, version: str) -> Path:
    """``directory`` as a release bundle of ``version``: our wheel (a ``kiosk`` package
    saying its version) and two dependency wheels shared by every version."""
    wheels = directory / "wheels"
    app = make_wheel(
        wheels,
        APP_DISTRIBUTION,
        version,
        {"kiosk/__init__.py": f'RELEASE = "{version}"\n'.encode()},
    )
    deps = [make_wheel(wheels, name, dep_version) for name, dep_version in DEPENDENCIES]
    manifest = ReleaseManifest(
        version=version,
        app_wheel=f"wheels/{app.name}",
        wheels=tuple(f"wheels/{w.name}" for w in [app, *deps]),
    )
    (directory / "manifest.json").write_bytes(msgspec.json.encode(manifest))
    return directory


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
