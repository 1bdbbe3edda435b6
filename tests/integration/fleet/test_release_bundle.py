"""Real release bundles built from this checkout, published twice: the second release, a
code-only one, adds our wheel alone."""

from __future__ import annotations

import email
import zipfile
from pathlib import Path

import msgspec
import pytest

from fleet.build import BuildError, build_bundle, fetch_wheels, locked_requirements
from fleet.repository import Repository
from kiosk.contract import ReleaseManifest
from tests.tuf_repository import make_repository

pytestmark = pytest.mark.bundle

CHECKOUT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, wheel_cache: Path) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("bundles")
    pyproject = (CHECKOUT / "pyproject.toml").read_bytes()
    first = build_bundle(CHECKOUT, "1.0.0", out / "1.0.0", wheel_cache).out_dir
    second = build_bundle(CHECKOUT, "1.0.1", out / "1.0.1", wheel_cache).out_dir
    assert (CHECKOUT / "pyproject.toml").read_bytes() == pyproject
    return first, second


def manifest_wheels(bundle: Path) -> set[str]:
    manifest = msgspec.json.decode((bundle / "manifest.json").read_bytes(), type=ReleaseManifest)
    return set(manifest.wheels)


def test_a_bundle_holds_our_wheel_and_every_locked_dependency(bundles):
    _, second = bundles
    wheels = {f"wheels/{p.name}" for p in (second / "wheels").iterdir()}
    assert manifest_wheels(second) == wheels
    names = {Path(w).name.split("-")[0].lower() for w in wheels}
    locked = {r.name.replace("-", "_") for r in locked_requirements(CHECKOUT) if r.applies()}
    assert names == locked | {"taihaoban_kiosk"}
    # Markers are the terminals': no Windows-only wheel, the hardware extra's drivers in.
    assert "colorama" not in names
    assert {"pycups", "pyscard"} <= names

    [app] = (second / "wheels").glob("taihaoban_kiosk-*.whl")
    with zipfile.ZipFile(app) as archive:
        top_level = {name.split("/", 1)[0] for name in archive.namelist()}
        metadata = email.message_from_bytes(
            archive.read("taihaoban_kiosk-1.0.1.dist-info/METADATA")
        )
    assert metadata["Version"] == "1.0.1"
    assert top_level == {
        "kiosk",
        "devices",
        "offline_cache",
        "ui",
        "taihaoban_kiosk-1.0.1.dist-info",
    }


def test_the_wheel_cache_spares_downloads(bundles, wheel_cache, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    requirements = [r for r in locked_requirements(CHECKOUT) if r.applies()]
    wheels = fetch_wheels(requirements, wheel_cache)
    assert {w.name for w in wheels} == {Path(w).name for w in manifest_wheels(bundles[0])} - {
        "taihaoban_kiosk-1.0.0-py3-none-any.whl"
    }


def test_a_code_only_release_publishes_our_wheel_alone(bundles, tmp_path):
    first, second = bundles
    repository, _ = make_repository(tmp_path)
    full = repository.publish(first, 100)
    code_only = repository.publish(second, 10)

    [app_wheel] = manifest_wheels(second) - manifest_wheels(first)
    assert code_only.new_targets == (app_wheel, "releases/1.0.1/manifest.json")
    assert code_only.new_bytes < full.new_bytes / 100
    assert Repository.open(repository.path, repository.keys_dir).releases() == ["1.0.0", "1.0.1"]


def test_an_existing_output_directory_is_refused(bundles, wheel_cache, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("x")
    with pytest.raises(BuildError, match="不是空目录"):
        build_bundle(CHECKOUT, "1.0.2", tmp_path / "out", wheel_cache)
