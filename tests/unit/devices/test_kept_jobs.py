"""The kept print jobs store: sealed with the terminal secret, bounded, gone within 24 h."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.printers.kept_jobs import KEEP_FOR_S, KeptJobStore, SealBroken
from tests.clock import FakeClock

SECRET = bytes(range(32))
PDF = b"%PDF-1.4\n" + "\u5f20\u4e09 \u7684\u4fe1\u7528\u62a5\u544a".encode() + b"\n%%EOF\n"
TITLE = "report XT20261124000888"


def store(
    directory: Path, clock: FakeClock, secret: bytes = SECRET, limit: int = 10
) -> KeptJobStore:
    return KeptJobStore(directory, secret, limit=limit, clock=clock)


def test_a_kept_job_is_encrypted_at_rest_and_reads_back(tmp_path: Path, clock: FakeClock) -> None:
    kept = store(tmp_path / "kept", clock)
    job, dropped = kept.keep(PDF, TITLE)

    assert dropped == [] and kept.jobs() == [job]
    (file,) = (tmp_path / "kept").iterdir()
    data = file.read_bytes()
    assert b"%PDF" not in data and "\u5f20\u4e09".encode() not in data and b"XT2026" not in data
    assert file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "kept").stat().st_mode & 0o777 == 0o700
    assert kept.load(job) == (PDF, TITLE)


def test_an_altered_or_foreign_file_is_refused_and_tidied_away(
    tmp_path: Path, clock: FakeClock
) -> None:
    kept = store(tmp_path, clock)
    altered, _ = kept.keep(PDF, TITLE)
    path = tmp_path / f"{altered.id}.kept"
    data = bytearray(path.read_bytes())
    data[-20] ^= 1
    path.write_bytes(bytes(data))
    foreign, _ = store(tmp_path, clock, secret=b"another terminal").keep(PDF, TITLE)
    good, _ = kept.keep(PDF, TITLE)

    with pytest.raises(SealBroken):
        kept.load(altered)
    with pytest.raises(SealBroken):
        kept.load(foreign)
    assert kept.tidy() == [good]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{good.id}.kept"]


def test_a_job_goes_after_24_hours(tmp_path: Path, clock: FakeClock) -> None:
    kept = store(tmp_path, clock)
    job, _ = kept.keep(PDF, TITLE)
    clock.now += KEEP_FOR_S - 1
    assert kept.jobs() == [job]

    clock.now += 2

    assert kept.jobs() == []
    assert list(tmp_path.iterdir()) == []


def test_a_clock_set_far_back_expires_a_job_rather_than_keeping_it_forever(
    tmp_path: Path, clock: FakeClock
) -> None:
    kept = store(tmp_path, clock)
    kept.keep(PDF, TITLE)
    clock.now -= KEEP_FOR_S + 1
    assert kept.jobs() == []


def test_files_left_by_a_crash_are_tidied_at_start(tmp_path: Path, clock: FakeClock) -> None:
    before_crash = store(tmp_path, clock)
    old, _ = before_crash.keep(PDF, "report old")
    clock.now += 3600
    young, _ = before_crash.keep(PDF, "report young")
    (tmp_path / ".0badf00d.tmp").write_bytes(b"half a job")
    (tmp_path / "junk.kept").write_bytes(b"not a job")
    clock.now += KEEP_FOR_S - 1800

    after_restart = store(tmp_path, clock)

    assert after_restart.tidy() == [young]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{young.id}.kept"]
    assert after_restart.load(young) == (PDF, "report young")
    assert old not in after_restart.jobs()


def test_the_store_is_bounded_and_drops_the_oldest(tmp_path: Path, clock: FakeClock) -> None:
    kept = store(tmp_path, clock, limit=3)
    jobs = []
    for n in range(3):
        clock.now += 60
        jobs.append(kept.keep(PDF, f"report {n}")[0])

    clock.now += 60
    newest, dropped = kept.keep(PDF, "report 3")

    assert dropped == [jobs[0]]
    assert kept.jobs() == [*jobs[1:], newest]
    assert len(list(tmp_path.iterdir())) == 3
