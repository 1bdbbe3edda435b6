"""Release bundles and what publishing them adds to the TUF repository.

Two real bundles built from this checkout (versions N and N+1, the same locked
dependencies), published one after the other: the bytes of new targets of the full first
release against a code-only release, which should be our wheel and its manifest alone.
Dependency wheels come from the operators' wheel cache (``TAIHAOBAN_WHEEL_CACHE`` or the
tool's default), so only the first run on a machine downloads them.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fleet.build import build_bundle
from fleet.cli import DEFAULT_WHEEL_CACHE
from fleet.repository import Repository

ROOT = Path(__file__).resolve().parents[1]


def run(emit: Callable[..., None]) -> None:
    cache = Path(os.environ.get("TAIHAOBAN_WHEEL_CACHE") or DEFAULT_WHEEL_CACHE)
    with tempfile.TemporaryDirectory(prefix="bench-release-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        first = build_bundle(ROOT, "1.0.0", folder / "1.0.0", cache)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = build_bundle(ROOT, "1.0.1", folder / "1.0.1", cache)
        second_s = time.perf_counter() - started
        emit(
            "release_bundle",
            wheels=len(first.manifest.wheels),
            bundle_mb=round(first.total_bytes / 1e6, 1),
            app_wheel_kb=round(first.app_wheel_bytes / 1e3, 1),
            build_s=round(first_s, 1),
            rebuild_s=round(second_s, 1),
            note="dependency wheels from the cache after its first fill (which downloads them "
            "and builds the sdists); our wheel is built each time",
        )
        repository = Repository.init(folder / "repo", folder / "keys", folder / "root-keys")
        full = repository.publish(first.out_dir, 100)
        code_only = repository.publish(second.out_dir, 10)
        figures: dict[str, Any] = {
            "full_release_new_bytes": full.new_bytes,
            "full_release_new_targets": len(full.new_targets),
            "code_only_new_bytes": code_only.new_bytes,
            "code_only_new_targets": len(code_only.new_targets),
            "code_only_share_pct": round(100 * code_only.new_bytes / full.new_bytes, 2),
        }
        emit("release_publish_new_target_bytes", **figures, note="metadata not counted")
