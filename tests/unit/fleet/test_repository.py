"""The release repository as a terminal sees it: python-tuf's ngclient reads it over
loopback HTTP after every operation."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from tuf.api.exceptions import ExpiredMetadataError
from tuf.ngclient import Updater

from fleet import keys
from fleet.repository import (
    Expiries,
    PromotionRefused,
    Repository,
    RepositoryError,
    Thresholds,
    repository_lock,
)
from kiosk.contract import (
    RELEASE_CHANNEL_TARGET,
    FleetTerminal,
    FleetTerminals,
    ReleaseChannel,
    ReleaseManifest,
    UpdateState,
    release_manifest_target,
    rollout_bucket,
)
from tests.tuf_repository import make_bundle, make_repository, make_wheel, serve_directory

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Repository, Path]:
    return make_repository(tmp_path)


@pytest.fixture
def url(repo: tuple[Repository, Path]) -> Iterator[str]:
    with serve_directory(repo[0].path) as base_url:
        yield base_url


def client(url: str, workdir: Path, trusted_root: bytes) -> Updater:
    """A terminal's updater, trusting ``trusted_root`` (never the server's word)."""
    metadata_dir = workdir / "metadata"
    metadata_dir.mkdir(parents=True, exist_ok=True)
    (workdir / "targets").mkdir(exist_ok=True)
    updater = Updater(
        str(metadata_dir),
        f"{url}/metadata/",
        str(workdir / "targets"),
        f"{url}/targets/",
        bootstrap=trusted_root,
    )
    updater.refresh()
    return updater


def first_root(repository: Repository) -> bytes:
    return (repository.path / "metadata" / "1.root.json").read_bytes()


def channel_of(updater: Updater) -> ReleaseChannel:
    info = updater.get_targetinfo(RELEASE_CHANNEL_TARGET)
    assert info is not None
    return msgspec.convert(info.custom, ReleaseChannel)


def fleet(*terminals: FleetTerminal) -> FleetTerminals:
    return FleetTerminals(terminals=terminals, generated_at=NOW)


def terminal(terminal_id: str, version: str, state: str) -> FleetTerminal:
    return FleetTerminal(
        terminal_id=terminal_id,
        last_seen_at=NOW,
        version=version,
        update=msgspec.convert({"state": state, "version": version}, UpdateState),
        devices_ok=True,
        unhealthy=(),
        outbox_depth=0,
    )


def ids_in_buckets(wanted: range, count: int = 1) -> list[str]:
    """Terminal ids whose rollout bucket falls in ``wanted``."""
    found = [f"T{n:04d}" for n in range(2000) if rollout_bucket(f"T{n:04d}") in wanted]
    return found[:count]


def test_an_empty_repository_has_no_channel(repo: tuple[Repository, Path], url: str, tmp_path):
    repository, _ = repo
    updater = client(url, tmp_path / "terminal", first_root(repository))
    assert updater.get_targetinfo(RELEASE_CHANNEL_TARGET) is None
    assert repository.channel is None


def test_a_published_release_reaches_a_terminal_verified(repo, url, tmp_path):
    repository, _ = repo
    bundle = make_bundle(tmp_path / "bundle-1.0.0", "1.0.0")
    result = repository.publish(bundle, 10)

    updater = client(url, tmp_path / "terminal", first_root(repository))
    channel = channel_of(updater)
    assert channel == ReleaseChannel(version="1.0.0", rollout_percent=10)
    channel_info = updater.get_targetinfo(RELEASE_CHANNEL_TARGET)
    assert channel_info is not None
    channel_file = Path(updater.download_target(channel_info))
    assert msgspec.json.decode(channel_file.read_bytes(), type=ReleaseChannel) == channel

    manifest_info = updater.get_targetinfo(release_manifest_target("1.0.0"))
    assert manifest_info is not None
    manifest_path = Path(updater.download_target(manifest_info))
    manifest = msgspec.json.decode(manifest_path.read_bytes(), type=ReleaseManifest)
    for wheel in manifest.wheels:
        info = updater.get_targetinfo(wheel)
        assert info is not None
        downloaded = Path(updater.download_target(info, str(tmp_path / Path(wheel).name)))
        assert downloaded.read_bytes() == (bundle / wheel).read_bytes()
    assert set(result.new_targets) == {*manifest.wheels, release_manifest_target("1.0.0")}
    assert result.reused_wheels == 0


def test_a_code_only_release_adds_only_the_app_wheel(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    second = make_bundle(tmp_path / "b2", "1.1.0")
    result = repository.publish(second, 10)

    manifest = msgspec.json.decode((second / "manifest.json").read_bytes(), type=ReleaseManifest)
    assert result.new_targets == (manifest.app_wheel, release_manifest_target("1.1.0"))
    assert result.reused_wheels == len(manifest.wheels) - 1
    added = (second / manifest.app_wheel).stat().st_size
    added += (second / "manifest.json").stat().st_size
    assert result.new_bytes == added
    assert repository.channel == ReleaseChannel(
        version="1.1.0", rollout_percent=10, previous="1.0.0"
    )


def test_publish_refuses_a_wheel_name_with_other_bytes(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    second = make_bundle(tmp_path / "b2", "1.1.0")
    # Same file name as 1.0.0's dependency, other content.
    make_wheel(second / "wheels", "tiny-dep", "1.0", {"tiny_dep/__init__.py": b"X = 1\n"})

    with pytest.raises(RepositoryError, match="不同内容"):
        repository.publish(second, 10)
    assert repository.releases() == ["1.0.0"]


def test_publish_refuses_while_a_rollout_is_in_progress_and_a_version_twice(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    repository.publish(make_bundle(tmp_path / "b2", "1.1.0"), 10)

    with pytest.raises(RepositoryError, match="灰度"):
        repository.publish(make_bundle(tmp_path / "b3", "1.2.0"), 10)
    repository.halt("1.1.0 打印异常")
    with pytest.raises(RepositoryError, match="已发布过"):
        repository.publish(make_bundle(tmp_path / "b2", "1.1.0"), 10)
    repository.publish(make_bundle(tmp_path / "b3", "1.2.0"), 10)
    # 1.1.0 was halted: the terminals outside the new cohort keep 1.0.0.
    assert repository.channel == ReleaseChannel(
        version="1.2.0", rollout_percent=10, previous="1.0.0"
    )


def test_the_cohort_is_exactly_the_terminals_below_the_percentage(repo, url, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    repository.publish(make_bundle(tmp_path / "b2", "1.1.0"), 10)
    terminal_ids = [f"taihaoban-{n:03d}" for n in range(200)]

    for percent in (10, 50):
        if percent != 10:
            repository.promote(fleet(), percent)
        channel = channel_of(client(url, tmp_path / f"terminal-{percent}", first_root(repository)))
        updating = {t for t in terminal_ids if channel.version_for(t) == "1.1.0"}
        assert updating == {t for t in terminal_ids if rollout_bucket(t) < percent}
        assert 200 * percent / 100 / 2 < len(updating) < 200 * percent / 100 * 2
        assert {channel.version_for(t) for t in set(terminal_ids) - updating} == {"1.0.0"}


def test_promote_refuses_after_a_cohort_failure_unless_forced(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    repository.publish(make_bundle(tmp_path / "b2", "1.1.0"), 10)
    [in_cohort] = ids_in_buckets(range(10))
    [outside] = ids_in_buckets(range(10, 100))
    healthy = terminal(in_cohort, "1.1.0", "committed")
    failed = terminal(in_cohort, "1.1.0", "rolled_back")
    # An old failure of another version, outside the cohort, does not gate this one.
    unrelated = terminal(outside, "1.0.0", "failed")

    assert repository.promote(fleet(healthy, unrelated)).rollout_percent == 25
    with pytest.raises(PromotionRefused) as refused:
        repository.promote(fleet(failed, unrelated))
    assert [t.terminal_id for t in refused.value.failures] == [in_cohort]
    assert repository.channel is not None and repository.channel.rollout_percent == 25

    forced = repository.promote(fleet(failed), 100, force_reason="打印机驱动已现场确认")
    assert forced.rollout_percent == 100
    assert "打印机驱动已现场确认" in forced.note


def test_a_note_too_long_for_terminals_is_refused(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 50)
    with pytest.raises(RepositoryError, match="频道无效"):
        repository.halt("很长的理由" * 500)
    assert repository.channel == ReleaseChannel(version="1.0.0", rollout_percent=50)


def test_promote_only_widens(repo, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 50)
    with pytest.raises(RepositoryError, match="只能扩大"):
        repository.promote(fleet(), 25)
    repository.halt("暂停观察")
    assert repository.promote(fleet(), 50) == ReleaseChannel(version="1.0.0", rollout_percent=50)


def test_halt_and_rollback_reach_a_terminal_as_newer_metadata(repo, url, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    repository.publish(make_bundle(tmp_path / "b2", "1.1.0"), 100)
    updater = client(url, tmp_path / "terminal", first_root(repository))
    assert channel_of(updater).version == "1.1.0"
    targets_before = repository.targets.signed.version

    repository.halt("1.1.0 启动后白屏")
    updater = client(url, tmp_path / "terminal", first_root(repository))
    assert channel_of(updater).halted
    assert channel_of(updater).note == "1.1.0 启动后白屏"

    repository.rollback("1.0.0", "回到 1.0.0")
    updater = client(url, tmp_path / "terminal", first_root(repository))
    assert channel_of(updater) == ReleaseChannel(
        version="1.0.0", rollout_percent=100, note="回到 1.0.0"
    )
    assert repository.targets.signed.version == targets_before + 2
    with pytest.raises(RepositoryError, match="未发布"):
        repository.rollback("0.9.0")


@pytest.mark.parametrize("role", ["root", "targets", "snapshot", "timestamp"])
def test_a_rotated_key_is_followed_by_terminals_and_retired(tmp_path, role):
    repository, root_keys = make_repository(
        tmp_path, thresholds=Thresholds(root=2, targets=2, snapshot=1, timestamp=1)
    )
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    key_dir = root_keys if role == "root" else repository.keys_dir
    old_keyids = set(repository.root.signed.roles[role].keyids)
    with serve_directory(repository.path) as url:
        client(url, tmp_path / "terminal", first_root(repository))

        repository.rotate_key(role, root_keys)

        # A terminal that trusted version 1 of the root follows the chain to version 2.
        updater = client(url, tmp_path / "terminal", first_root(repository))
        assert channel_of(updater).version == "1.0.0"
        fresh = client(url, tmp_path / "fresh-terminal", first_root(repository))
        assert channel_of(fresh).version == "1.0.0"
    new_keyids = set(repository.root.signed.roles[role].keyids)
    assert len(new_keyids) == len(old_keyids)
    assert not new_keyids & old_keyids
    assert set(keys.load_keys(key_dir, role)) == new_keyids
    reopened = Repository.open(repository.path, repository.keys_dir)
    assert reopened.root.signed.version == 2
    reopened.resign_timestamp()


def test_rotating_needs_the_offline_root_keys(repo, tmp_path):
    repository, _ = repo
    with pytest.raises(RepositoryError, match="root"):
        repository.rotate_key("timestamp", tmp_path / "not-the-root-keys")


def test_signing_below_the_threshold_is_refused(tmp_path):
    repository, _ = make_repository(tmp_path, thresholds=Thresholds(targets=2))
    targets_keys = sorted(repository.keys_dir.glob("targets-*.pem"))
    assert len(targets_keys) == 2
    os.unlink(targets_keys[0])
    with pytest.raises(RepositoryError, match="需要 2 把"):
        repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)


def test_an_expired_timestamp_is_refused_until_resigned(repo, url, tmp_path):
    repository, _ = repo
    repository.publish(make_bundle(tmp_path / "b1", "1.0.0"), 100)
    repository.resign_timestamp(dt.timedelta(seconds=-60))
    with pytest.raises(ExpiredMetadataError):
        client(url, tmp_path / "terminal", first_root(repository))

    repository.resign_timestamp()
    assert channel_of(client(url, tmp_path / "terminal", first_root(repository))).version == "1.0.0"


def test_resign_timestamp_renews_a_snapshot_near_its_expiry(tmp_path):
    repository, _ = make_repository(tmp_path, expiries=Expiries(snapshot=dt.timedelta(hours=1)))
    snapshot_version = repository.snapshot.signed.version
    targets_version = repository.targets.signed.version
    repository.expiries = Expiries(snapshot=dt.timedelta(days=7))

    repository.resign_timestamp()

    assert repository.snapshot.signed.version == snapshot_version + 1
    assert repository.targets.signed.version == targets_version
    repository.resign_timestamp()
    assert repository.snapshot.signed.version == snapshot_version + 1


def test_init_refuses_an_existing_repository(repo, tmp_path):
    with pytest.raises(RepositoryError, match="已有"):
        make_repository(tmp_path)


def test_one_operation_at_a_time_holds_the_repository_lock(repo):
    repository, _ = repo
    with (
        repository_lock(repository.path),
        (repository.path / ".lock").open("a") as other,
        pytest.raises(BlockingIOError),
    ):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with (repository.path / ".lock").open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
