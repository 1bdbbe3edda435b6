"""Throwaway release repositories for tests: small valid wheels, bundles, a repository with
fresh keys, and a loopback HTTP server for python-tuf's ngclient to read it from."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import msgspec

from fleet.repository import Expiries, Repository, Thresholds
from kiosk.contract import ReleaseManifest

APP_DISTRIBUTION = "taihaoban_kiosk"


def make_wheel(
    directory: Path, name: str, version: str, files: Mapping[str, bytes] | None = None
) -> Path:
    """A valid pure-Python wheel ``<name>-<version>-py3-none-any.whl`` that pip installs:
    ``files`` (path → content) plus its dist-info. Same arguments, same bytes."""
    distribution = name.replace("-", "_")
    dist_info = f"{distribution}-{version}.dist-info"
    contents = dict(files or {f"{distribution}/__init__.py": f'VERSION = "{version}"\n'.encode()})
    contents[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    )
    contents[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{path},sha256={_record_hash(data)},{len(data)}" for path, data in contents.items()]
    contents[f"{dist_info}/RECORD"] = (
        "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    ).encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{distribution}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, data in contents.items():
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            wheel.writestr(info, data)
    return path


def make_bundle(
    directory: Path,
    version: str,
    dependencies: Sequence[tuple[str, str]] = (("tiny-dep", "1.0"), ("other-dep", "2.0")),
    app_files: Mapping[str, bytes] | None = None,
) -> Path:
    """A release bundle (``manifest.json``, ``wheels/``) of a small app wheel of
    ``version`` (``app_files`` in it, as ``make_wheel``'s ``files``) and small dependency
    wheels: two bundles with the same ``dependencies`` share those wheels byte for byte,
    like a code-only release."""
    wheels_dir = directory / "wheels"
    app = make_wheel(wheels_dir, APP_DISTRIBUTION, version, app_files)
    deps = [make_wheel(wheels_dir, name, dep_version) for name, dep_version in dependencies]
    write_manifest(directory, version, app, deps)
    return directory


def write_manifest(
    directory: Path, version: str, app_wheel: Path, dependencies: Sequence[Path]
) -> ReleaseManifest:
    """``directory/manifest.json`` naming the wheels (all in ``directory/wheels/``)."""
    manifest = ReleaseManifest(
        version=version,
        app_wheel=f"wheels/{app_wheel.name}",
        wheels=tuple(f"wheels/{w.name}" for w in [app_wheel, *dependencies]),
    )
    (directory / "manifest.json").write_bytes(msgspec.json.encode(manifest))
    return manifest


def make_repository(
    directory: Path,
    *,
    thresholds: Thresholds | None = None,
    expiries: Expiries | None = None,
) -> tuple[Repository, Path]:
    """A new repository in ``directory/repo`` with its online keys in ``directory/keys``;
    returns it and the root keys' directory (``directory/root-keys``)."""
    root_keys = directory / "root-keys"
    repository = Repository.init(
        directory / "repo",
        directory / "keys",
        root_keys,
        thresholds=thresholds or Thresholds(),
        expiries=expiries or Expiries(),
    )
    return repository, root_keys


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serves ``directory`` over HTTP on loopback while the context lasts; yields the base
    URL (``http://127.0.0.1:<port>``): a repository's metadata is under ``/metadata/``, its
    targets under ``/targets/``."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
