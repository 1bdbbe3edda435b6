"""The demo environment most integration tests run the core against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.demo import DemoEnvironment
from tests.kiosk_harness import fast_demo


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoEnvironment]:
    with fast_demo(tmp_path) as environment:
        yield environment
