"""Shared test settings: offscreen Qt, and missing services fail under CI instead of skipping."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def require_tool(*names: str) -> None:
    """Skip locally when a system tool is missing; under CI=true that is an error."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    why = f"missing system tools: {', '.join(missing)} (make test installs them)"
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)
