"""The release bundle: our wheel, every dependency wheel ``uv.lock`` pins for the terminals,
and a ``ReleaseManifest``. ``publish`` consumes it; an install script installs it offline.

    <out>/manifest.json
    <out>/wheels/*.whl

The terminals run Debian 12, CPython 3.11, x86_64; the build runs on the same platform
(checked), so pip picks and builds exactly the wheels a terminal can install: dependency
markers are evaluated here, sdists (pycups, pyscard) are built into wheels here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import msgspec
from packaging.markers import Marker
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from kiosk.contract import ReleaseManifest, validated

TERMINAL_GLIBC = (2, 36)
"""Debian 12's: wheels built or chosen on a newer glibc may not load on a terminal."""
HARDWARE_EXTRA = "hardware"


class BuildError(Exception):
    """The bundle cannot be built; the message is for the operator."""


@dataclasses.dataclass(frozen=True)
class Requirement:
    """One pinned line of ``uv export``."""

    name: str
    version: str
    marker: str | None
    line: str
    """The line as pip reads it, hashes included."""

    def applies(self) -> bool:
        return self.marker is None or Marker(self.marker).evaluate()


@dataclasses.dataclass(frozen=True)
class BuildResult:
    manifest: ReleaseManifest
    out_dir: Path
    total_bytes: int
    app_wheel_bytes: int


def build_bundle(
    checkout: Path, version: str, out_dir: Path, wheel_cache: Path | None = None
) -> BuildResult:
    """Builds the bundle of ``version`` from ``checkout`` into ``out_dir`` (new or empty).

    Our wheel is built from a temporary copy of the checkout's tracked files with the
    version set (the checkout stays untouched); hatchling builds it reproducibly. Dependency
    wheels come from ``wheel_cache`` when it holds them, else pip downloads (hashes checked
    against ``uv.lock``) or builds them, and they are kept in ``wheel_cache`` for the next
    build. Keep that cache between releases: a wheel built from an sdist (pycups, pyscard)
    differs in bytes from one build to the next, and a published wheel name must keep its
    bytes."""
    check_build_host()
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BuildError(f"{out_dir} 不是空目录")
    wheels_dir = out_dir / "wheels"
    wheels_dir.mkdir(parents=True)
    app_wheel = build_app_wheel(checkout, version, wheels_dir)
    dependencies = [r for r in locked_requirements(checkout) if r.applies()]
    with tempfile.TemporaryDirectory(prefix="taihaoban-wheels-") as scratch:
        cache = wheel_cache or Path(scratch)
        cache.mkdir(parents=True, exist_ok=True)
        dependency_wheels = fetch_wheels(dependencies, cache)
        for wheel in dependency_wheels:
            shutil.copy2(wheel, wheels_dir / wheel.name)
    manifest = validated(
        ReleaseManifest(
            version=version,
            app_wheel=f"wheels/{app_wheel.name}",
            wheels=tuple(f"wheels/{w.name}" for w in [app_wheel, *dependency_wheels]),
            created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
    )
    (out_dir / "manifest.json").write_bytes(msgspec.json.format(msgspec.json.encode(manifest)))
    return BuildResult(
        manifest=manifest,
        out_dir=out_dir,
        total_bytes=sum(p.stat().st_size for p in wheels_dir.iterdir()),
        app_wheel_bytes=app_wheel.stat().st_size,
    )


def check_build_host() -> None:
    """Refuses a host whose wheels would not be the terminals' (see the module's doc)."""
    libc, libc_version = platform.libc_ver()
    glibc = tuple(int(part) for part in libc_version.split(".")[:2]) if libc == "glibc" else None
    if (
        sys.implementation.name != "cpython"
        or sys.version_info[:2] != (3, 11)
        or platform.machine() != "x86_64"
        or glibc is None
        or glibc > TERMINAL_GLIBC
    ):
        raise BuildError(
            "发布包须在与终端相同的平台上构建（Debian 12、CPython 3.11、x86_64，"
            f"glibc ≤ 2.36）；本机为 {platform.python_implementation()} "
            f"{platform.python_version()}、{platform.machine()}、{libc} {libc_version}"
        )


def build_app_wheel(checkout: Path, version: str, wheels_dir: Path) -> Path:
    """Our wheel, from a copy of the checkout's tracked files of the wheel's packages."""
    Version(version)  # raises InvalidVersion for what pip would not accept either
    pyproject = tomllib.loads((checkout / "pyproject.toml").read_text())
    packages: list[str] = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    with tempfile.TemporaryDirectory(prefix="taihaoban-build-") as scratch:
        copy = Path(scratch) / "checkout"
        tracked = _run(["git", "ls-files", "-z", "--", "pyproject.toml", *packages], checkout)
        for name in filter(None, tracked.split("\0")):
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checkout / name, target)
        text = (copy / "pyproject.toml").read_text()
        text, count = re.subn(
            r'^version = "[^"]*"$', f'version = "{version}"', text, count=1, flags=re.M
        )
        if count != 1:
            raise BuildError("pyproject.toml 中没有 version 行")
        (copy / "pyproject.toml").write_text(text)
        built = Path(scratch) / "built"
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(built), str(copy)])
        [wheel] = built.glob("*.whl")
        _check_app_wheel(wheel, packages)
        return Path(shutil.copy2(wheel, wheels_dir / wheel.name))


def locked_requirements(checkout: Path) -> list[Requirement]:
    """What ``uv.lock`` pins for the terminals: no dev group, our hardware extra."""
    exported = _run(
        [
            "uv",
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--extra",
            HARDWARE_EXTRA,
            "--format",
            "requirements-txt",
            "--no-header",
            "--no-annotate",
        ],
        checkout,
    )
    requirements = []
    for entry in exported.replace("\\\n", " ").splitlines():
        if not entry.strip() or entry.lstrip().startswith("#"):
            continue
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)\s*(?:;\s*(.*?))?\s*(--hash=.*)$", entry)
        if match is None:
            raise BuildError(f"uv export 的这一行无法理解：{entry}")
        name, version, marker, hashes = match.groups()
        line = f"{name}=={version} {hashes}"
        requirements.append(Requirement(canonicalize_name(name), version, marker, line))
    return requirements


def fetch_wheels(requirements: list[Requirement], cache: Path) -> list[Path]:
    """A wheel for each requirement, from ``cache``, else from pip into ``cache``."""
    missing = [r for r in requirements if _cached_wheel(r, cache) is None]
    if missing:
        with tempfile.TemporaryDirectory(prefix="taihaoban-pip-") as scratch:
            requirements_file = Path(scratch) / "requirements.txt"
            requirements_file.write_text("".join(f"{r.line}\n" for r in missing))
            staging = Path(scratch) / "wheels"
            _run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--no-deps",
                    "--require-hashes",
                    "-r",
                    str(requirements_file),
                    "-w",
                    str(staging),
                ]
            )
            for built in staging.glob("*.whl"):
                shutil.move(built, cache / built.name)
    wheels = []
    for requirement in requirements:
        wheel = _cached_wheel(requirement, cache)
        if wheel is None:
            raise BuildError(f"pip 未给出 {requirement.name}=={requirement.version} 的 wheel")
        wheels.append(wheel)
    return wheels


def _cached_wheel(requirement: Requirement, cache: Path) -> Path | None:
    supported = set(sys_tags())
    for wheel in sorted(cache.glob("*.whl")):
        name, version, _, tags = parse_wheel_filename(wheel.name)
        if (
            name == requirement.name
            and version == Version(requirement.version)
            and not tags.isdisjoint(supported)
        ):
            return wheel
    return None


def _check_app_wheel(wheel: Path, packages: list[str]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/", 1)[0] for name in archive.namelist()}
    unexpected = {t for t in top_level if not t.endswith(".dist-info")} - set(packages)
    if unexpected:
        raise BuildError(f"{wheel.name} 含有不应发布的内容：{', '.join(sorted(unexpected))}")


def _run(command: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BuildError(f"{' '.join(command[:4])} 失败：\n{done.stderr.strip()}")
    return done.stdout
