"""The release tree on a terminal (``/opt/taihaoban-kiosk``)::

    releases/<version>/venv/      a release's own virtualenv, built offline from its wheels
    releases/<version>/manifest.json
    current  -> releases/<version>   what the kiosk unit starts
    previous -> releases/<version>   what a rollback goes back to
    wheels/<file name>.whl        every wheel downloaded so far (a code-only update fetches
                                  our wheel alone)

Every change is safe against a kill at any point: a release is built under
``releases/.<version>.partial-<pid>`` and renamed into place when complete; a link is
switched by renaming a new link over it (``os.replace``); a release is removed by renaming
it to ``.<version>.removing-<pid>`` first. Leftovers of a killed run are removed by
``clean_leftovers``. ``on_step`` is called with each step's name before it is taken (tests
kill the process there).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

from kiosk.contract import ReleaseManifest

log = logging.getLogger(__name__)

BUILD_TIMEOUT_S = 1800.0
"""A virtualenv build (pip install of PySide6 and the rest) on a slow terminal."""


class InstallError(Exception):
    """Building a release's virtualenv failed; the message says which command and why."""


def _ignore(step: str) -> None:
    pass


class ReleaseTree:
    def __init__(self, root: Path, on_step: Callable[[str], None] = _ignore) -> None:
        self.root = root
        self.releases = root / "releases"
        self.wheels = root / "wheels"
        self.current = root / "current"
        self.previous = root / "previous"
        self._on_step = on_step

    def linked_version(self, link: Path) -> str | None:
        """The release ``link`` (``current`` or ``previous``) points at; None if none."""
        try:
            return Path(os.readlink(link)).name
        except FileNotFoundError:
            return None

    def release_dir(self, version: str) -> Path:
        return self.releases / version

    def has_release(self, version: str) -> bool:
        return (self.release_dir(version) / "venv" / "bin" / "python").exists()

    def versions(self) -> list[str]:
        """The complete releases on disk."""
        if not self.releases.is_dir():
            return []
        return sorted(p.name for p in self.releases.iterdir() if not p.name.startswith("."))

    def clean_leftovers(self) -> None:
        """Remove what a killed run left: half-built and half-removed releases, temporary
        links and half-downloaded wheels."""
        for leftover in (
            *self.releases.glob(".*.partial-*"),
            *self.releases.glob(".*.removing-*"),
        ):
            log.info("removing %s, left by an interrupted run", leftover.name)
            shutil.rmtree(leftover)
        for temporary in (*self.root.glob(".*.link-*"), *self.wheels.glob(".*.download")):
            temporary.unlink()

    def build(self, version: str, wheels: Iterable[Path], manifest: bytes, python: Path) -> None:
        """Build ``releases/<version>/`` with a virtualenv of exactly ``wheels`` (offline,
        no dependency resolution). Raises InstallError."""
        self.releases.mkdir(parents=True, exist_ok=True)
        final = self.release_dir(version)
        partial = self.releases / f".{version}.partial-{os.getpid()}"
        venv = partial / "venv"
        self._on_step("venv")
        # Without pip: seeding pip into every venv costs ~8 s; the system's pip (Debian's
        # python3-pip) installs into the venv through --python instead.
        self._run([str(python), "-m", "venv", "--without-pip", str(venv)])
        self._on_step("wheels")
        # pip compiles the bytecode here (a terminal's kiosk user cannot write it later);
        # Python takes a module's file name from where it loads it, not from the .pyc.
        pip = [str(python), "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
        self._run(
            [*pip, "--no-index", "--no-deps", "--disable-pip-version-check", *map(str, wheels)]
        )
        self._on_step("relocate")
        _relocate_scripts(venv / "bin", str(partial), str(final))
        (partial / "manifest.json").write_bytes(manifest)
        self._on_step("rename")
        if final.exists():  # an earlier build of the same release (e.g. not switched to)
            self._remove(final)
        os.rename(partial, final)

    def switch(self, version: str) -> None:
        """``previous`` to what ``current`` is, then ``current`` to ``version``."""
        running = self.linked_version(self.current)
        if running is not None and running != version:
            self._on_step("previous")
            self._link(self.previous, running)
        self._on_step("current")
        self._link(self.current, version)
        os.utime(self.release_dir(version))  # pruning keeps the most recently switched to

    def switch_back(self) -> str | None:
        """``current`` back to ``previous`` (``previous`` is then removed: a second switch
        back has nowhere to go); returns the version now current, None if no previous."""
        previous = self.linked_version(self.previous)
        if previous is None or not self.has_release(previous):
            return None
        self._on_step("current")
        self._link(self.current, previous)
        self._on_step("previous")
        self.previous.unlink()
        return previous

    def prune(self, keep: int) -> list[str]:
        """Remove releases beyond the ``keep`` most recently switched to (``current`` and
        ``previous`` always kept) and wheels no kept release uses; returns the removed."""
        linked = {self.linked_version(self.current), self.linked_version(self.previous)}
        by_age = sorted(
            self.versions(), key=lambda v: self.release_dir(v).stat().st_mtime, reverse=True
        )
        others = [v for v in by_age if v not in linked]
        removed = others[max(0, keep - len(linked - {None})) :]
        for version in removed:
            self._on_step("prune")
            self._remove(self.release_dir(version))
        used = {
            name
            for version in self.versions()
            if (manifest := self.release_dir(version) / "manifest.json").exists()
            for name in _wheel_names(manifest.read_bytes())
        }
        for wheel in self.wheels.glob("*.whl") if self.wheels.is_dir() else ():
            if wheel.name not in used:
                wheel.unlink()
        return removed

    def _link(self, link: Path, version: str) -> None:
        temporary = self.root / f".{link.name}.link-{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(Path("releases") / version)
        os.replace(temporary, link)

    def _remove(self, release: Path) -> None:
        doomed = release.with_name(f".{release.name}.removing-{os.getpid()}")
        os.rename(release, doomed)
        shutil.rmtree(doomed)

    def _run(self, command: list[str]) -> None:
        try:
            subprocess.run(
                command, check=True, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
            )
        except subprocess.CalledProcessError as error:
            tail = (error.stderr or error.stdout or "").strip().splitlines()[-3:]
            message = f"{Path(command[0]).name} {command[2]}: {' | '.join(tail)}"
            raise InstallError(message) from None
        except (OSError, subprocess.TimeoutExpired) as error:
            raise InstallError(f"{command[0]}: {error}") from None


def _relocate_scripts(bin_dir: Path, built_at: str, final: str) -> None:
    """Console scripts and activate files name the virtualenv's directory: the one it will
    have once renamed into place."""
    for script in bin_dir.iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        content = script.read_bytes()
        if built_at.encode() in content:
            script.write_bytes(content.replace(built_at.encode(), final.encode()))


def _wheel_names(manifest: bytes) -> list[str]:
    return [Path(w).name for w in msgspec.json.decode(manifest, type=ReleaseManifest).wheels]
