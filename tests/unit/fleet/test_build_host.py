"""Bundles are built only where pip picks the terminals' wheels."""

from __future__ import annotations

import platform

import pytest

from fleet import build


def test_a_newer_glibc_than_the_terminals_is_refused(monkeypatch):
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.39"))
    with pytest.raises(build.BuildError, match="Debian 12"):
        build.check_build_host()


def test_a_non_x86_64_machine_is_refused(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    with pytest.raises(build.BuildError, match="x86_64"):
        build.check_build_host()
