"""``taihaoban-release`` as operators run it, against the sandbox platform as its own process:
terminals' heartbeats gate ``promote`` and make ``status``."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from fleet.cli import main
from fleet.repository import Repository
from kiosk import demo
from kiosk.contract import (
    DeviceHealth,
    HeartbeatEvent,
    ReleaseChannel,
    TerminalHeartbeat,
    UpdateState,
    rollout_bucket,
)
from kiosk.demo import SandboxProcess
from kiosk.platform.client import PlatformClient
from tests import payloads
from tests.tuf_repository import make_bundle

RELEASE_TOOL = Path(sys.executable).with_name("taihaoban-release")
OPERATOR_TOKEN = secrets.token_hex(16)


def terminal_in_buckets(wanted: range, taken: int = 0) -> str:
    found = [f"XT-QY-{n:04d}" for n in range(1000) if rollout_bucket(f"XT-QY-{n:04d}") in wanted]
    return found[taken]


EARLY = terminal_in_buckets(range(10))  # the first 10 % cohort
SECOND = terminal_in_buckets(range(10, 25))  # joins at 25 %
LATE = terminal_in_buckets(range(50, 100))
GONE = terminal_in_buckets(range(50, 100), taken=1)
FLEET = (EARLY, SECOND, LATE, GONE)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[SandboxProcess, bytes]]:
    secret = secrets.token_bytes(32)
    (tmp_path / "terminal.secret").write_text(secret.hex(), encoding="ascii")
    (tmp_path / "terminal.secret").chmod(0o600)
    (tmp_path / "operator.token").write_text(OPERATOR_TOKEN + "\n", encoding="utf-8")
    sandbox = demo.start_sandbox_process(
        tmp_path,
        EARLY,
        tmp_path / "terminal.secret",
        tmp_path / "sandbox.log",
        serve_options=[
            *(f"--fleet-terminal={t}" for t in FLEET[1:]),
            f"--operator-token-file={tmp_path / 'operator.token'}",
        ],
    )
    try:
        yield sandbox, secret
    finally:
        sandbox.stop()


def heartbeat(
    platform: tuple[SandboxProcess, bytes],
    terminal_id: str,
    update: UpdateState | None,
    age: dt.timedelta = dt.timedelta(0),
    printer_ok: bool = True,
) -> None:
    sandbox, secret = platform
    taken_at = dt.datetime.now(dt.UTC) - age
    beat = TerminalHeartbeat(
        version="1.0.0",
        outbox=payloads.heartbeat().outbox,
        drain=payloads.heartbeat().drain,
        devices={"card_reader": "IDLE"},
        health={"receipt_printer": DeviceHealth(printer_ok, "打印机", taken_at)},
        update=update,
    )
    event = HeartbeatEvent(idempotency_key=secrets.token_hex(8), occurred_at=taken_at, payload=beat)
    with PlatformClient(sandbox.url, terminal_id, secret, retries=0) as client:
        assert client.post_terminal_events([event]).accepted == (event.idempotency_key,)


def release(
    tmp_path: Path, sandbox: SandboxProcess | None, *args: str, console_script: bool = False
) -> subprocess.CompletedProcess[str]:
    """Runs the tool (in this process, unless ``console_script``: then the installed script)."""
    options = ["--repo", str(tmp_path / "repo"), "--keys", str(tmp_path / "keys")]
    if args[0] in ("promote", "status") and sandbox is not None:
        options += ["--platform", sandbox.url]
        options += ["--operator-token-file", str(tmp_path / "operator.token")]
    argv = [*args, *options]
    if console_script:
        command = [str(RELEASE_TOOL), *argv]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def channel(tmp_path: Path) -> ReleaseChannel | None:
    return Repository.open(tmp_path / "repo", tmp_path / "keys").channel


def test_promote_is_gated_on_the_cohort_and_status_lists_the_fleet(tmp_path, platform):
    sandbox, _ = platform
    run = lambda *args: release(tmp_path, sandbox, *args)  # noqa: E731
    init = run("init", "--root-keys", str(tmp_path / "root-keys"), "--threshold", "targets=2")
    assert init.returncode == 0, init.stderr
    assert len(list((tmp_path / "keys").glob("targets-*.pem"))) == 2
    for version, rollout in (("1.0.0", "100%"), ("1.1.0", "10%")):
        bundle = make_bundle(tmp_path / f"bundle-{version}", version)
        published = run("publish", version, "--bundle", str(bundle), "--rollout", rollout)
        assert published.returncode == 0, published.stderr

    heartbeat(platform, EARLY, UpdateState("committed", "1.1.0"))
    promoted = run("promote")
    assert promoted.returncode == 0, promoted.stderr
    assert channel(tmp_path) == ReleaseChannel("1.1.0", 25, previous="1.0.0")

    heartbeat(platform, SECOND, UpdateState("rolled_back", "1.1.0", "健康检查未通过"))
    refused = run("promote", "--to", "50%")
    assert refused.returncode == 1
    assert SECOND in refused.stderr
    assert run("promote", "--force").returncode == 1  # a reason is required
    assert channel(tmp_path) == ReleaseChannel("1.1.0", 25, previous="1.0.0")

    forced = run("promote", "--to", "50%", "--force", "--reason", "打印机固件问题，已知且无害")
    assert forced.returncode == 0, forced.stderr
    forced_channel = channel(tmp_path)
    assert forced_channel is not None and forced_channel.rollout_percent == 50
    assert "打印机固件问题" in forced_channel.note

    heartbeat(platform, LATE, None, age=dt.timedelta(minutes=30), printer_ok=False)
    heartbeat(platform, GONE, None, age=dt.timedelta(days=3))
    assert run("halt", "--reason", "观察 1.1.0").returncode == 0
    status = release(tmp_path, sandbox, "status", console_script=True)
    assert status.returncode == 0, status.stderr
    lines = {line.split()[0]: line.split() for line in status.stdout.splitlines() if line}
    assert lines[EARLY][1:4] == ["ONLINE", "1.0.0", "committed"]
    assert lines[SECOND][1:4] == ["ONLINE", "1.0.0", "rolled_back"]
    assert lines[LATE][1] == "STALE" and "故障：receipt_printer" in lines[LATE]
    assert lines[GONE][1] == "OFFLINE"
    assert "版本 1.1.0，范围 50%（已暂停）" in status.stdout
    assert "在线 2，迟滞 1，离线 1" in status.stdout


def test_rollback_and_resign_from_the_command_line(tmp_path):
    assert release(tmp_path, None, "init", "--root-keys", str(tmp_path / "rk")).returncode == 0
    for version in ("1.0.0", "1.1.0"):
        bundle = make_bundle(tmp_path / f"bundle-{version}", version)
        args = ("publish", version, "--bundle", str(bundle), "--rollout", "100%")
        assert release(tmp_path, None, *args).returncode == 0

    wrong = release(
        tmp_path,
        None,
        "publish",
        "1.2.0",
        "--bundle",
        str(tmp_path / "bundle-1.1.0"),
        "--rollout",
        "5%",
    )
    assert wrong.returncode == 1 and "1.1.0" in wrong.stderr
    # No fleet status, no promotion.
    blind = release(tmp_path, None, "promote")
    assert blind.returncode == 1 and "--platform" in blind.stderr
    assert release(tmp_path, None, "rollback", "1.0.0", "--reason", "白屏").returncode == 0
    assert channel(tmp_path) == ReleaseChannel("1.0.0", 100, note="白屏")
    timestamp_before = msgspec.json.decode(
        (tmp_path / "repo" / "metadata" / "timestamp.json").read_bytes()
    )["signed"]["version"]
    assert release(tmp_path, None, "resign-timestamp").returncode == 0
    rotated = release(tmp_path, None, "rotate-key", "snapshot", "--root-keys", str(tmp_path / "rk"))
    assert rotated.returncode == 0, rotated.stderr
    repository = Repository.open(tmp_path / "repo", tmp_path / "keys")
    assert repository.timestamp.signed.version == timestamp_before + 2
    assert repository.root.signed.version == 2
