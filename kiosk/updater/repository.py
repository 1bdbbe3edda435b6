"""The TUF client: which release this terminal should run, and its wheels, verified.

python-tuf's ngclient does the verification (signatures and thresholds, version rollback,
freshness, snapshot consistency, lengths and hashes). The only trust anchor is the root
shipped by the install (``bootstrap=``): a terminal never trusts on first use. Metadata is
cached under ``<state_dir>/updater/metadata``; wheels land in the release tree's wheel cache,
each checked against its signed length and hashes before use, downloaded under a temporary
name and renamed (a kill leaves no half wheel under its name).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import msgspec
import urllib3
from tuf.api.exceptions import (
    DownloadError,
    DownloadLengthMismatchError,
    ExpiredMetadataError,
    RepositoryError,
)
from tuf.ngclient.updater import Updater
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

from kiosk.config import UpdaterSettings
from kiosk.contract import (
    RELEASE_CHANNEL_TARGET,
    ReleaseChannel,
    ReleaseManifest,
    release_manifest_target,
)
from kiosk.updater.releases import ReleaseTree
from kiosk.updater.state import updater_dir

log = logging.getLogger(__name__)
T = TypeVar("T")
METADATA = "repository metadata"


class UpdateRejected(Exception):
    """The repository's answer failed verification (or the clock is off): nothing from it
    is used. The message says why, for the ``rejected`` step."""


class RepositoryUnreachable(Exception):
    """The repository could not be reached or a file could not be fetched."""


class CountingFetcher(Urllib3Fetcher):
    """ngclient's own fetcher, counting the bytes it receives."""

    def __init__(self, socket_timeout: int) -> None:
        super().__init__(socket_timeout=socket_timeout, app_user_agent="taihaoban-kiosk")
        self.received = 0

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self._count(super()._fetch(url))

    def _count(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.received += len(chunk)
            yield chunk


@dataclass(frozen=True)
class Release:
    """A release the repository offers this terminal, with its verified wheels on disk."""

    manifest: ReleaseManifest
    manifest_bytes: bytes
    wheels: tuple[Path, ...]
    downloaded: int
    """Bytes of wheels downloaded for it (zero when every wheel was in the cache)."""


class Repository:
    """One session with the TUF repository (ngclient refreshes once per ``Updater``)."""

    def __init__(self, settings: UpdaterSettings, state_dir: Path) -> None:
        self._settings = settings
        metadata_dir = updater_dir(state_dir) / "metadata"
        metadata_dir.mkdir(parents=True, exist_ok=True)
        base = settings.repository_url.rstrip("/")
        self._metadata_url = f"{base}/metadata/"
        self.fetcher = CountingFetcher(round(settings.request_timeout_s))
        try:
            root = settings.trusted_root.read_bytes()
        except OSError as error:
            where = settings.trusted_root
            raise UpdateRejected(f"trusted root {where}: {error.strerror}") from None
        try:
            self._updater = Updater(
                str(metadata_dir),
                self._metadata_url,
                target_base_url=f"{base}/targets/",
                fetcher=self.fetcher,
                bootstrap=root,
            )
        except (RepositoryError, ValueError) as error:
            raise UpdateRejected(f"trusted root {settings.trusted_root}: {error}") from None

    def channel(self) -> ReleaseChannel:
        """Refresh the metadata and read the signed release channel."""
        info = self._verified(
            METADATA, lambda: self._updater.get_targetinfo(RELEASE_CHANNEL_TARGET)
        )
        if info is None:
            raise UpdateRejected(f"{RELEASE_CHANNEL_TARGET} is not a signed target")
        try:
            return msgspec.convert(info.custom, ReleaseChannel)
        except msgspec.ValidationError as error:
            raise UpdateRejected(f"{RELEASE_CHANNEL_TARGET}: custom metadata {error}") from None

    def fetch_release(
        self, version: str, tree: ReleaseTree, on_step: Callable[[str], None]
    ) -> Release:
        """The release's manifest and every wheel it names, verified, the wheels in
        ``tree.wheels`` (only those not already there are downloaded)."""
        before = self.fetcher.received
        manifest_bytes = self._download(release_manifest_target(version))
        try:
            manifest = msgspec.json.decode(manifest_bytes, type=ReleaseManifest)
        except msgspec.ValidationError as error:
            raise UpdateRejected(f"manifest of {version}: {error}") from None
        if manifest.version != version:
            raise UpdateRejected(f"manifest of {version} names version {manifest.version}")
        tree.wheels.mkdir(parents=True, exist_ok=True)
        paths = []
        for wheel in manifest.wheels:
            info = self._verified(METADATA, lambda: self._updater.get_targetinfo(wheel))  # noqa: B023
            if info is None:
                raise UpdateRejected(f"{wheel} is not a signed target")
            path = tree.wheels / Path(wheel).name
            if self._updater.find_cached_target(info, str(path)) is None:
                on_step("download")
                partial = path.with_name(f".{path.name}.download")
                self._verified(wheel, lambda: self._updater.download_target(info, str(partial)))  # noqa: B023
                os.replace(partial, path)
            paths.append(path)
        return Release(manifest, manifest_bytes, tuple(paths), self.fetcher.received - before)

    def _download(self, target: str) -> bytes:
        info = self._verified(METADATA, lambda: self._updater.get_targetinfo(target))
        if info is None:
            raise UpdateRejected(f"{target} is not a signed target")
        with tempfile.TemporaryDirectory(prefix="taihaoban-update-") as scratch:
            path = Path(scratch) / "target"
            self._verified(target, lambda: self._updater.download_target(info, str(path)))
            return path.read_bytes()

    def _verified(self, what: str, call: Callable[[], T]) -> T:
        """``call``'s result; its failure as UpdateRejected or RepositoryUnreachable, the
        message starting with ``what`` was being fetched."""
        try:
            return call()
        except ExpiredMetadataError as error:
            raise UpdateRejected(f"clock or repository stale: {error}; {self._skew()}") from None
        except RepositoryError as error:
            raise UpdateRejected(f"{what}: {type(error).__name__}: {error}") from None
        except DownloadError as error:
            if isinstance(error, DownloadLengthMismatchError):
                raise UpdateRejected(f"{what}: endless data: {error}") from None
            cause = error.__cause__ or error
            raise RepositoryUnreachable(f"{what}: {type(error).__name__}: {cause}") from None

    def _skew(self) -> str:
        """What the clocks say: the repository server's Date header against the local
        clock, and when the repository's timestamp metadata expires against now."""
        url = f"{self._metadata_url}timestamp.json"
        try:
            reply = urllib3.request("GET", url, timeout=self._settings.request_timeout_s)
        except urllib3.exceptions.HTTPError as error:
            return f"could not measure the skew ({type(error).__name__})"
        now = time.time()
        parts = [f"local clock {_iso(now)}"]
        date = reply.headers.get("Date")
        if date:
            server = email.utils.parsedate_to_datetime(date).timestamp()
            parts.append(f"server clock {_iso(server)} (local is {now - server:+.0f} s off)")
        try:
            expires = json.loads(reply.data)["signed"]["expires"]
            expiry = dt.datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp()
            parts.append(f"timestamp metadata expires {expires} ({expiry - now:+.0f} s from now)")
        except (ValueError, KeyError, TypeError):
            parts.append("timestamp metadata unreadable")
        return ", ".join(parts)


def _iso(unix: float) -> str:
    return dt.datetime.fromtimestamp(unix, dt.UTC).isoformat(timespec="seconds")
