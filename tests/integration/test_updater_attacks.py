"""The attacks TUF exists for, each against a terminal running 1.0.0 while 1.1.0 is
published, over real HTTP on loopback: the updater refuses, records a ``rejected`` step
naming the reason, and leaves the running release alone (nothing built, nothing switched)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Timestamp

from fleet.repository import Repository, Thresholds
from kiosk.contract import ReleaseManifest
from tests.tuf_repository import make_repository, serve_directory
from tests.updater.releases import small_bundle
from tests.updater_terminal import SimulatedTerminal, simulated_terminal

RUNNING = "1.0.0"
NEW = "1.1.0"


@dataclass
class Scene:
    repository: Repository
    terminal: SimulatedTerminal
    bundle: Path
    """1.1.0's bundle, ready to publish."""

    def publish_new(self) -> ReleaseManifest:
        self.repository.publish(self.bundle, 100)
        return msgspec.json.decode(
            (self.bundle / "manifest.json").read_bytes(), type=ReleaseManifest
        )

    def metadata(self, name: str) -> Path:
        return self.repository.path / "metadata" / name

    def assert_rejected(self, reason: str) -> None:
        terminal = self.terminal
        assert terminal.poll() == 1
        step = terminal.steps()[-1]
        assert step.step == "rejected", step
        assert reason in step.detail, step.detail
        assert terminal.state().last.state == "failed"
        assert terminal.tree.linked_version(terminal.tree.current) == RUNNING
        assert terminal.tree.versions() == [RUNNING]
        assert terminal.state().pending is None


def _scene(tmp_path: Path, thresholds: Thresholds | None = None) -> Iterator[Scene]:
    """1.0.0 published and running (a stand-in release: these attacks never get as far as
    starting anything); the terminal has polled once, so it trusts today's metadata."""
    repository, _ = make_repository(tmp_path / "fleet", thresholds=thresholds)
    repository.publish(small_bundle(tmp_path / "bundle-1.0.0", RUNNING), 100)
    with serve_directory(repository.path) as url:
        terminal = simulated_terminal(
            tmp_path / "terminal", url, repository.path / "metadata" / "1.root.json"
        )
        stand_in = terminal.tree.release_dir(RUNNING) / "venv" / "bin"
        stand_in.mkdir(parents=True)
        (stand_in / "python").touch()
        terminal.tree.switch(RUNNING)
        assert terminal.poll() == 0  # up to date
        assert terminal.steps() == []
        yield Scene(repository, terminal, small_bundle(tmp_path / "bundle-1.1.0", NEW))


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[Scene]:
    yield from _scene(tmp_path)


def test_the_untampered_release_is_taken(scene: Scene) -> None:
    """The baseline the attacks differ from by one thing each."""
    scene.publish_new()
    assert scene.terminal.poll() == 0
    assert scene.terminal.tree.linked_version(scene.terminal.tree.current) == NEW
    assert [s.step for s in scene.terminal.steps()] == ["checked", "downloaded", "installed"]


def test_a_tampered_wheel_is_rejected(scene: Scene) -> None:
    manifest = scene.publish_new()
    stored = scene.repository.target_file(manifest.app_wheel)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same length, other bytes
    stored.write_bytes(bytes(data))
    scene.assert_rejected(f"{manifest.app_wheel}: LengthOrHashMismatchError")
    assert not list(scene.terminal.tree.wheels.glob(Path(manifest.app_wheel).name))


def test_metadata_signed_with_a_key_the_root_does_not_list_is_rejected(scene: Scene) -> None:
    scene.publish_new()
    path = scene.metadata("timestamp.json")
    forged = Metadata[Timestamp].from_bytes(path.read_bytes())
    forged.signed.version += 1
    forged.signatures.clear()
    forged.sign(CryptoSigner.generate_ed25519())
    path.write_bytes(forged.to_bytes())
    scene.assert_rejected("UnsignedMetadataError")


def test_signatures_below_the_threshold_are_rejected(tmp_path: Path) -> None:
    for scene in _scene(tmp_path, Thresholds(timestamp=2)):
        scene.publish_new()
        path = scene.metadata("timestamp.json")
        half_signed = Metadata[Timestamp].from_bytes(path.read_bytes())
        assert len(half_signed.signatures) == 2
        half_signed.signatures.popitem()
        path.write_bytes(half_signed.to_bytes())
        scene.assert_rejected("UnsignedMetadataError")


def test_older_metadata_than_the_terminal_has_seen_is_rejected(scene: Scene) -> None:
    """A mirror replays the timestamp the terminal trusted before the last re-signing."""
    old = scene.metadata("timestamp.json").read_bytes()
    scene.repository.resign_timestamp()
    assert scene.terminal.poll() == 0  # now it trusts the newer timestamp
    scene.publish_new()
    scene.metadata("timestamp.json").write_bytes(old)
    scene.assert_rejected("BadVersionNumberError")


def test_a_frozen_repository_is_rejected_as_clock_or_repository_stale(scene: Scene) -> None:
    """A mirror that stopped at an old state (or a terminal whose clock runs ahead): the
    timestamp has expired. The step names the skew rather than a bare TUF error."""
    scene.publish_new()
    scene.repository.resign_timestamp(expires_in=-dt.timedelta(hours=2))
    scene.assert_rejected("clock or repository stale")
    detail = scene.terminal.steps()[-1].detail
    skew = re.search(r"local is ([+-]\d+) s off", detail)
    assert skew is not None and abs(int(skew[1])) <= 2, detail  # one machine: no real skew
    assert "timestamp metadata expires" in detail and "s from now" in detail, detail


def test_a_snapshot_mixed_from_another_repository_state_is_rejected(scene: Scene) -> None:
    """The timestamp names snapshot N+1; the mirror serves the content of snapshot N (an
    older state of the targets) under that name."""
    timestamp = Metadata[Timestamp].from_bytes(scene.metadata("timestamp.json").read_bytes())
    old_snapshot = scene.metadata(f"{timestamp.signed.snapshot_meta.version}.snapshot.json")
    scene.publish_new()
    timestamp = Metadata[Timestamp].from_bytes(scene.metadata("timestamp.json").read_bytes())
    new_name = f"{timestamp.signed.snapshot_meta.version}.snapshot.json"
    scene.metadata(new_name).write_bytes(old_snapshot.read_bytes())
    scene.assert_rejected("repository metadata: LengthOrHashMismatchError")


def test_endless_data_in_place_of_a_wheel_is_cut_off(scene: Scene) -> None:
    manifest = scene.publish_new()
    stored = scene.repository.target_file(manifest.app_wheel)
    stored.write_bytes(stored.read_bytes() + b"\0" * 5_000_000)
    scene.assert_rejected(f"{manifest.app_wheel}: endless data")


def test_a_manifest_naming_a_wheel_that_is_not_a_signed_target_is_rejected(scene: Scene) -> None:
    manifest = scene.publish_new()
    unlisted = manifest.wheels[-1]
    del scene.repository.targets.signed.targets[unlisted]
    scene.repository._write_targets_snapshot_timestamp()  # a new signed state without it
    scene.assert_rejected(f"{unlisted} is not a signed target")


def test_an_unreachable_repository_is_a_failed_step_and_nothing_changes(scene: Scene) -> None:
    root = scene.repository.path / "metadata" / "1.root.json"
    terminal = simulated_terminal(scene.terminal.directory, "http://127.0.0.1:9", root)
    assert terminal.poll() == 1
    step = terminal.steps()[-1]
    assert (step.step, step.version) == ("failed", RUNNING)
    assert step.detail.startswith("repository unreachable: repository metadata:"), step.detail
    assert terminal.tree.linked_version(terminal.tree.current) == RUNNING
