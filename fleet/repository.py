"""The release repository: a TUF repository of static files, written with ``tuf.api.metadata``.

Layout (consistent snapshots, any web server serves it)::

    <repo>/metadata/N.root.json, root.json (the latest root, for installs to ship),
                    timestamp.json, N.snapshot.json, N.targets.json
    <repo>/targets/wheels/<sha256>.<wheel file name>
    <repo>/targets/releases/<version>/<sha256>.manifest.json
    <repo>/targets/<sha256>.channel.json

Targets: every wheel once (``wheels/<file name>``, shared by the releases that use it: the
same name must mean the same bytes), one ``ReleaseManifest`` per release and the channel,
whose signed ``custom`` is the ``ReleaseChannel`` terminals decide with (the file holds the
same JSON). Every change writes new targets, snapshot and timestamp versions; files are
written under a temporary name and renamed, the timestamp last, so a client never reads a
half-written repository.

The root keys sign only ``init`` and ``rotate_key``: they are read from the offline
directory named by the caller. The online keys (targets, snapshot, timestamp) and the
repository's expiry policy (``expiries.json``) live in ``keys_dir``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Signed,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from fleet import keys
from kiosk.contract import (
    RELEASE_CHANNEL_TARGET,
    FleetTerminal,
    FleetTerminals,
    ReleaseChannel,
    ReleaseManifest,
    release_manifest_target,
    rollout_bucket,
    validated,
)

S = TypeVar("S", Root, Targets, Snapshot, Timestamp)

ROLLOUT_STEPS = (10, 25, 50, 100)
"""Where ``promote`` goes next without ``--to``."""
FAILED_UPDATE_STATES = frozenset({"failed", "rolled_back"})


class RepositoryError(Exception):
    """A refused operation; the message is for the operator."""


class PromotionRefused(RepositoryError):
    """The rollout gate: terminals of the current cohort report a failed update."""

    def __init__(self, failures: Sequence[FleetTerminal]) -> None:
        self.failures = tuple(failures)
        ids = ", ".join(t.terminal_id for t in self.failures)
        super().__init__(f"当前批次有 {len(self.failures)} 台终端更新失败或已回滚：{ids}")


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """How many keys each role has and must sign with."""

    root: int = 1
    targets: int = 1
    snapshot: int = 1
    timestamp: int = 1


@dataclasses.dataclass(frozen=True)
class Expiries:
    """How long each role's metadata stays valid after it is signed."""

    root: dt.timedelta = dt.timedelta(days=365)
    targets: dt.timedelta = dt.timedelta(days=90)
    snapshot: dt.timedelta = dt.timedelta(days=7)
    timestamp: dt.timedelta = dt.timedelta(days=1)

    def to_json(self) -> bytes:
        seconds = {f.name: getattr(self, f.name).total_seconds() for f in dataclasses.fields(self)}
        return json.dumps(seconds, indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Expiries:
        return cls(**{role: dt.timedelta(seconds=s) for role, s in json.loads(data).items()})


@dataclasses.dataclass(frozen=True)
class PublishResult:
    version: str
    new_targets: tuple[str, ...]
    new_bytes: int
    """Bytes of the targets this release added: what a terminal running the previous
    release downloads (metadata aside)."""
    reused_wheels: int


class Repository:
    """An open release repository. Build one with ``init`` or ``open``."""

    def __init__(
        self,
        path: Path,
        keys_dir: Path,
        expiries: Expiries,
        metadata: tuple[Metadata[Root], Metadata[Targets], Metadata[Snapshot], Metadata[Timestamp]],
    ) -> None:
        self.path = path
        self.keys_dir = keys_dir
        self.expiries = expiries
        self.root, self.targets, self.snapshot, self.timestamp = metadata

    # --- creating and opening -----------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path,
        keys_dir: Path,
        root_keys_dir: Path,
        *,
        thresholds: Thresholds = Thresholds(),
        expiries: Expiries = Expiries(),
    ) -> Repository:
        """A new, empty repository at ``path`` (which must not hold one): new keys for each
        role (``threshold`` of them), the root's in ``root_keys_dir``, the others in
        ``keys_dir``; root version 1, signed, and the first targets, snapshot and
        timestamp."""
        if (path / "metadata").exists():
            raise RepositoryError(f"{path} 已有发布仓库")
        now = _now()
        if min(dataclasses.astuple(thresholds)) < 1:
            raise RepositoryError("每个角色的签名门限至少为 1")
        root = Root(expires=now + expiries.root, consistent_snapshot=True)
        root_signers = []
        for role in keys.ROLES:
            threshold = getattr(thresholds, role)
            key_dir = root_keys_dir if role == "root" else keys_dir
            for _ in range(threshold):
                signer = keys.generate_key(key_dir, role)
                root.add_key(signer.public_key, role)
                if role == "root":
                    root_signers.append(signer)
            root.roles[role].threshold = threshold
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomic(keys_dir / "expiries.json", expiries.to_json())
        (path / "metadata").mkdir(parents=True)
        (path / "targets").mkdir()
        root_md = Metadata(root)
        for signer in root_signers:
            root_md.sign(signer, append=True)
        _write_root(path, root_md)
        # The online roles' first files are version 2: every write signs a new version.
        metadata = (
            root_md,
            Metadata(Targets(expires=now)),
            Metadata(Snapshot(expires=now)),
            Metadata(Timestamp(expires=now)),
        )
        repository = cls(path, keys_dir, expiries, metadata)
        repository._write_targets_snapshot_timestamp()
        return repository

    @classmethod
    def open(cls, path: Path, keys_dir: Path) -> Repository:
        """The repository at ``path``, signing with the online keys of ``keys_dir``."""
        if not (path / "metadata" / "timestamp.json").exists():
            raise RepositoryError(f"{path} 不是发布仓库（先运行 init）")
        if not (keys_dir / "expiries.json").exists():
            raise RepositoryError(f"{keys_dir} 不是 init 生成的密钥目录")
        metadata_dir = path / "metadata"
        root = _read(metadata_dir / f"{_latest_root_version(path)}.root.json", Root)
        timestamp = _read(metadata_dir / "timestamp.json", Timestamp)
        snapshot_version = timestamp.signed.snapshot_meta.version
        snapshot = _read(metadata_dir / f"{snapshot_version}.snapshot.json", Snapshot)
        targets_version = snapshot.signed.meta["targets.json"].version
        targets = _read(metadata_dir / f"{targets_version}.targets.json", Targets)
        expiries = Expiries.from_json((keys_dir / "expiries.json").read_bytes())
        return cls(path, keys_dir, expiries, (root, targets, snapshot, timestamp))

    # --- what it holds -------------------------------------------------------------------

    @property
    def channel(self) -> ReleaseChannel | None:
        """The signed channel, or ``None`` before the first ``publish``."""
        target = self.targets.signed.targets.get(RELEASE_CHANNEL_TARGET)
        if target is None:
            return None
        return msgspec.convert(target.custom, ReleaseChannel)

    def releases(self) -> list[str]:
        """The versions published so far."""
        return sorted(
            path.removeprefix("releases/").removesuffix("/manifest.json")
            for path in self.targets.signed.targets
            if path.startswith("releases/") and path.endswith("/manifest.json")
        )

    def target_file(self, target_path: str) -> Path:
        """Where a target's bytes are stored (hash-prefixed, as clients fetch them)."""
        target = self.targets.signed.targets[target_path]
        return self.path / "targets" / target.get_prefixed_paths()[0]

    # --- operations ----------------------------------------------------------------------

    def publish(self, bundle_dir: Path, rollout_percent: int, note: str = "") -> PublishResult:
        """Adds the release bundle in ``bundle_dir`` (``manifest.json`` and ``wheels/``) and
        points the channel at it for ``rollout_percent`` % of the terminals; the others keep
        the release every terminal was told to run before. Refused while another rollout is
        in progress (neither at 100 % nor halted), for a version already published, and for
        a wheel whose name is published with other bytes."""
        manifest_bytes = (bundle_dir / "manifest.json").read_bytes()
        try:
            manifest = msgspec.json.decode(manifest_bytes, type=ReleaseManifest)
        except msgspec.DecodeError as error:
            raise RepositoryError(f"{bundle_dir}/manifest.json 无效：{error}") from None
        if manifest.version in self.releases():
            raise RepositoryError(f"版本 {manifest.version} 已发布过")
        if manifest.app_wheel not in manifest.wheels:
            raise RepositoryError("manifest.json 的 app_wheel 不在 wheels 中")
        channel = self.channel
        if channel is not None and channel.rollout_percent < 100 and not channel.halted:
            raise RepositoryError(
                f"版本 {channel.version} 正在灰度发布（{channel.rollout_percent}%）："
                "请先 promote 到 100% 或 halt"
            )
        _check_percent(rollout_percent)
        stable = None
        if channel is not None:
            stable = channel.version
            if channel.rollout_percent < 100 or channel.halted:
                stable = channel.previous
        next_channel = _checked(
            ReleaseChannel(
                version=manifest.version,
                rollout_percent=rollout_percent,
                previous=stable,
                note=note,
            )
        )

        new: dict[str, tuple[TargetFile, Path]] = {}
        reused = 0
        for wheel in manifest.wheels:
            local = bundle_dir / wheel
            if not local.is_file():
                raise RepositoryError(f"发布包中缺少 {wheel}")
            target = TargetFile.from_file(wheel, str(local))
            known = self.targets.signed.targets.get(wheel)
            if known is None:
                new[wheel] = (target, local)
            elif known.hashes != target.hashes or known.length != target.length:
                raise RepositoryError(
                    f"{wheel} 已以不同内容发布过：同名 wheel 必须相同"
                    "（构建时请沿用同一个 --wheel-cache；缓存丢失时，可从仓库 targets/wheels/ "
                    "取回已发布的 wheel，去掉文件名前的哈希后放入缓存）"
                )
            else:
                reused += 1
        for target, local in new.values():
            self._add_target(target, local.read_bytes())
        manifest_target = TargetFile.from_data(
            release_manifest_target(manifest.version), manifest_bytes
        )
        self._add_target(manifest_target, manifest_bytes)
        self._set_channel(next_channel)
        new_bytes = sum(t.length for t, _ in new.values()) + manifest_target.length
        return PublishResult(
            version=manifest.version,
            new_targets=(*new, manifest_target.path),
            new_bytes=new_bytes,
            reused_wheels=reused,
        )

    def promote(
        self,
        fleet: FleetTerminals,
        percent: int | None = None,
        *,
        force_reason: str | None = None,
    ) -> ReleaseChannel:
        """Widens the rollout to ``percent`` (default: the next of ``ROLLOUT_STEPS``) and
        lifts a halt. Refused (``PromotionRefused``) while a terminal of the current cohort
        reports a failed or rolled-back update of the current version in ``fleet``, unless
        ``force_reason`` is given; the reason is kept in the channel's note."""
        channel = self._require_channel()
        if percent is None:
            percent = next((s for s in ROLLOUT_STEPS if s > channel.rollout_percent), 100)
        _check_percent(percent)
        if percent < channel.rollout_percent or (
            percent == channel.rollout_percent and not channel.halted
        ):
            raise RepositoryError(
                f"已发布到 {channel.rollout_percent}%：promote 只能扩大范围"
                "（缩小请用 halt 或 rollback）"
            )
        failures = cohort_failures(channel, fleet)
        if failures and not force_reason:
            raise PromotionRefused(failures)
        note = f"强制推进：{force_reason}" if failures and force_reason else ""
        return self._set_channel(
            msgspec.structs.replace(channel, rollout_percent=percent, halted=False, note=note)
        )

    def halt(self, reason: str) -> ReleaseChannel:
        """Stops the rollout: no terminal starts installing the channel's version."""
        channel = self._require_channel()
        return self._set_channel(msgspec.structs.replace(channel, halted=True, note=reason))

    def rollback(self, version: str, reason: str = "") -> ReleaseChannel:
        """Points every terminal back to ``version`` (published before), in new, higher
        metadata versions: clients never accept older metadata, so going back is a step
        forward in the repository's history."""
        channel = self._require_channel()
        if version not in self.releases():
            raise RepositoryError(f"版本 {version} 未发布过")
        if version == channel.version:
            raise RepositoryError(f"频道已指向 {version}")
        return self._set_channel(
            ReleaseChannel(version=version, rollout_percent=100, previous=None, note=reason)
        )

    def rotate_key(self, role: str, root_keys_dir: Path) -> None:
        """Replaces every key of ``role`` by new ones (as many as its threshold): a new root
        version lists them, signed by the root keys of ``root_keys_dir`` (for ``root``: by
        the old and the new ones, so clients can follow), and the retired key files are
        deleted. The online roles are re-signed with their current keys in new versions."""
        if role not in keys.ROLES:
            raise RepositoryError(f"未知角色 {role}（{', '.join(keys.ROLES)}）")
        old_root_signers = self._signers("root", root_keys_dir)
        key_dir = root_keys_dir if role == "root" else self.keys_dir
        root = self.root.signed
        old_keyids = list(root.roles[role].keyids)
        for keyid in old_keyids:
            root.revoke_key(keyid, role)
        for _ in range(root.roles[role].threshold):
            root.add_key(keys.generate_key(key_dir, role).public_key, role)
        root.version += 1
        root.expires = _now() + self.expiries.root
        self.root.signatures.clear()
        new_root_signers = self._signers("root", root_keys_dir) if role == "root" else []
        for signer in [*old_root_signers, *new_root_signers]:
            self.root.sign(signer, append=True)
        _write_root(self.path, self.root)
        for keyid in old_keyids:
            keys.remove_key(key_dir, role, keyid)
        self._write_targets_snapshot_timestamp()

    def resign_timestamp(self, expires_in: dt.timedelta | None = None) -> None:
        """A new timestamp version valid for ``expires_in`` (default: the policy's; a
        negative value makes an expired one, for tests). The snapshot and targets are
        re-signed too when less than half of their validity is left, so a repository
        nobody publishes to stays fresh with this command alone (run it from cron)."""
        now = _now()
        if self._needs_renewal(self.targets.signed, self.expiries.targets, now):
            self._write_targets_snapshot_timestamp(timestamp_expires_in=expires_in)
        elif self._needs_renewal(self.snapshot.signed, self.expiries.snapshot, now):
            self._write_snapshot()
            self._write_timestamp(expires_in)
        else:
            self._write_timestamp(expires_in)

    # --- internals -----------------------------------------------------------------------

    def _require_channel(self) -> ReleaseChannel:
        channel = self.channel
        if channel is None:
            raise RepositoryError("尚未发布任何版本")
        return channel

    def _add_target(self, target: TargetFile, data: bytes) -> None:
        local = self.path / "targets" / target.get_prefixed_paths()[0]
        local.parent.mkdir(parents=True, exist_ok=True)
        if not local.exists():
            _write_atomic(local, data)
        self.targets.signed.targets[target.path] = target

    def _set_channel(self, channel: ReleaseChannel) -> ReleaseChannel:
        channel = _checked(channel)
        data = msgspec.json.encode(channel)
        target = TargetFile.from_data(RELEASE_CHANNEL_TARGET, data)
        target.unrecognized_fields["custom"] = msgspec.to_builtins(channel)
        self._add_target(target, data)
        self._write_targets_snapshot_timestamp()
        return channel

    def _signers(self, role: str, key_dir: Path) -> list[CryptoSigner]:
        """The keys of ``key_dir`` that the root lists for ``role``; at least its
        threshold of them."""
        root = self.root.signed
        wanted = root.roles[role]
        found = [s for kid, s in keys.load_keys(key_dir, role).items() if kid in wanted.keyids]
        if len(found) < wanted.threshold:
            raise RepositoryError(
                f"{key_dir} 中只有 {len(found)} 把 {role} 密钥，需要 {wanted.threshold} 把"
            )
        return found

    def _sign_and_write(
        self, md: Metadata[S], role: str, name: str, expires: dt.timedelta
    ) -> bytes:
        md.signed.version += 1
        md.signed.expires = _now() + expires
        md.signatures.clear()
        for signer in self._signers(role, self.keys_dir):
            md.sign(signer, append=True)
        data = _serialize(md)
        _write_atomic(self.path / "metadata" / name, data)
        return data

    def _write_targets_snapshot_timestamp(
        self, timestamp_expires_in: dt.timedelta | None = None
    ) -> None:
        version = self.targets.signed.version + 1
        data = self._sign_and_write(
            self.targets, "targets", f"{version}.targets.json", self.expiries.targets
        )
        self.snapshot.signed.meta["targets.json"] = _meta_file(version, data)
        self._write_snapshot()
        self._write_timestamp(timestamp_expires_in)

    def _write_snapshot(self) -> None:
        version = self.snapshot.signed.version + 1
        data = self._sign_and_write(
            self.snapshot, "snapshot", f"{version}.snapshot.json", self.expiries.snapshot
        )
        self.timestamp.signed.snapshot_meta = _meta_file(version, data)

    def _write_timestamp(self, expires_in: dt.timedelta | None) -> None:
        self._sign_and_write(
            self.timestamp, "timestamp", "timestamp.json", expires_in or self.expiries.timestamp
        )

    @staticmethod
    def _needs_renewal(signed: Signed, lifetime: dt.timedelta, now: dt.datetime) -> bool:
        return signed.expires - now < lifetime / 2


@contextlib.contextmanager
def repository_lock(path: Path) -> Iterator[None]:
    """Holds the repository's lock (``<repo>/.lock``, flock) while the context lasts: two
    operators, or cron's ``resign-timestamp`` and a ``publish``, must not both sign the
    next version. Nothing to lock where there is no repository yet."""
    if not path.is_dir():
        yield
        return
    with (path / ".lock").open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def cohort_failures(channel: ReleaseChannel, fleet: FleetTerminals) -> list[FleetTerminal]:
    """The terminals of the channel's current cohort whose update to the channel's version
    failed or was rolled back: ``promote``'s gate."""
    return [
        terminal
        for terminal in fleet.terminals
        if rollout_bucket(terminal.terminal_id) < channel.rollout_percent
        and terminal.update is not None
        and terminal.update.version == channel.version
        and terminal.update.state in FAILED_UPDATE_STATES
    ]


def _checked(channel: ReleaseChannel) -> ReleaseChannel:
    """``channel`` as terminals will decode it, or why they could not."""
    try:
        return validated(channel)
    except msgspec.ValidationError as error:
        raise RepositoryError(f"发布频道无效：{error}") from None


def _check_percent(percent: int) -> None:
    if not 0 < percent <= 100:
        raise RepositoryError(f"发布范围须在 1–100% 之间，而不是 {percent}%")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _latest_root_version(path: Path) -> int:
    versions = [
        int(p.name.split(".", 1)[0])
        for p in (path / "metadata").glob("*.root.json")
        if p.name.split(".", 1)[0].isdigit()
    ]
    if not versions:
        raise RepositoryError(f"{path} 不是发布仓库（没有 root 元数据）")
    return max(versions)


def _read(path: Path, signed_type: type[S]) -> Metadata[S]:
    md: Metadata[S] = Metadata.from_bytes(path.read_bytes())
    if not isinstance(md.signed, signed_type):
        raise RepositoryError(f"{path} 不是 {signed_type.type} 元数据")
    return md


def _serialize(md: Metadata[Any]) -> bytes:
    return md.to_bytes(JSONSerializer(compact=False))


def _meta_file(version: int, data: bytes) -> MetaFile:
    return MetaFile(version, len(data), {"sha256": hashlib.sha256(data).hexdigest()})


def _write_root(path: Path, root_md: Metadata[Root]) -> None:
    data = _serialize(root_md)
    _write_atomic(path / "metadata" / f"{root_md.signed.version}.root.json", data)
    _write_atomic(path / "metadata" / "root.json", data)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
