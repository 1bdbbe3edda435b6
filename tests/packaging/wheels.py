"""A small real release bundle for install tests, without downloading anything.

Our wheel is built from the checkout; the dependencies ``taihaoban-kiosk --help`` imports are
repacked from this test environment's installed distributions (an installed distribution's
files, listed in its RECORD, are the wheel's contents). The rest of the dependencies (PySide6,
reportlab, ...) are left out to keep the bundle small: the layout and the console script are
what the install tests check, not a full kiosk start.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import zipfile
from pathlib import Path

from kiosk.contract import ReleaseManifest
from tests.tuf_repository import write_manifest

ROOT = Path(__file__).parents[2]
APP_DISTRIBUTION = "taihaoban-kiosk"


def cli_dependencies() -> list[str]:
    """The distributions a fresh interpreter imports for the console script."""
    code = "import sys; before = set(sys.modules); import ui.cli; print(*set(sys.modules) - before)"
    modules = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    owners = importlib.metadata.packages_distributions()
    tops = {module.partition(".")[0] for module in modules}
    names = {name for top in tops for name in owners.get(top, [])}
    return sorted(names - {APP_DISTRIBUTION})


def repack_wheel(name: str, out_dir: Path) -> Path:
    """The installed distribution ``name`` as a wheel file in ``out_dir``."""
    dist = importlib.metadata.distribution(name)
    tags = [
        line[5:]
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag: ")
    ]
    project = dist.metadata["Name"].replace("-", "_").replace(".", "_")
    wheel = out_dir / f"{project}-{dist.version}-{tags[0]}.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in dist.files or []:
            source = Path(str(dist.locate_file(file)))
            if file.parts[0] != ".." and "__pycache__" not in file.parts and source.is_file():
                archive.write(source, file.as_posix())
    return wheel


def build_bundle(out_dir: Path, version: str = "0.1.0") -> ReleaseManifest:
    """``out_dir/manifest.json`` and ``out_dir/wheels/``: our wheel and the CLI's dependencies."""
    wheels = out_dir / "wheels"
    wheels.mkdir(parents=True)
    subprocess.run(
        ["uv", "build", "--wheel", "--offline", "--out-dir", str(wheels)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=120,
    )
    (app_wheel,) = wheels.glob("taihaoban_kiosk-*.whl")
    dependencies = [repack_wheel(name, wheels) for name in cli_dependencies()]
    return write_manifest(out_dir, version, app_wheel, dependencies)
