"""``taihaoban-kiosk``: run the kiosk, the demo, the sandbox, or technician tools."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.config import DEFAULT_CONFIG_PATH, ConfigError, Settings, load_settings
from kiosk.logs import configure_logging

log = logging.getLogger("taihaoban-kiosk")

Handler = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taihaoban-kiosk", description="泰好办 信用查询终端")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the kiosk (full screen)")
    run.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    run.add_argument("--demo", action="store_true", help="sandbox platform, simulated devices")
    run.add_argument("--windowed", action="store_true", help="a 1920x1080 window, not full screen")
    headless = commands.add_parser("demo-headless", help="one scripted resident session")
    headless.add_argument("--out", type=Path, required=True)
    headless.add_argument("--card", default="", help="demo card key (default: a full record)")
    shots = commands.add_parser("screenshots", help="a PNG of every screen, both orientations")
    shots.add_argument("--out", type=Path, required=True)
    shots.add_argument("--readme-out", type=Path, help="also the README's screens, half size")
    sandbox = commands.add_parser("sandbox", help="serve the credit-platform sandbox")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8480)
    sandbox.add_argument("--terminal-id", default="XT-DEMO-001")
    sandbox.add_argument("--secret-file", type=Path, required=True)
    diag = commands.add_parser("diag", help="technician diagnostics")
    checks = diag.add_subparsers(dest="check", required=True)
    read_card = checks.add_parser(
        "read-card",
        help="wait for one card on the configured reader and print a masked result",
        description="Exit code 0 on a good read; otherwise 1 and a one-line reason on stderr. "
        "id_checksum_ok is null for numbers without a check digit (2017 foreign PR card).",
    )
    read_card.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    read_card.add_argument(
        "--reader", help="reader name pattern (pcsc driver; overrides the configured one)"
    )
    read_card.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (30)")
    read_card.add_argument("--json", action="store_true", help="one JSON line")
    outbox = checks.add_parser(
        "outbox",
        help="what the platform has not heard yet, what it refused (dead letters), and why",
        description="Exit code 0 when the outbox is healthy; 1 when it is near its cap, past "
        "it, out of space, was recovered from a corrupt file, or holds dead letters.",
    )
    outbox.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    outbox.add_argument("--json", action="store_true", help="one JSON line")
    update = commands.add_parser("update", help="signed updates (kiosk/updater)")
    update_commands = update.add_subparsers(dest="action", required=True)
    poll = update_commands.add_parser(
        "run",
        help="one poll: check, download in the maintenance window, install, switch, restart",
        description="Exit code 0 when up to date, waiting or updated; 1 when the repository's "
        "answer was rejected or the update failed (update status says why).",
    )
    poll.add_argument("--now", action="store_true", help="no random delay before the check")
    back = update_commands.add_parser(
        "rollback", help="switch back from a release not committed yet and mark it bad"
    )
    back.add_argument("--reason", default="the kiosk unit kept failing")
    update_commands.add_parser("status", help="where the updater stands (JSON)")
    for command in (poll, back, update_commands.choices["status"]):
        command.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    return parser


def _needs_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return not has_display and platform not in ("offscreen", "minimal")


def _run(args: argparse.Namespace) -> int:
    from ui import app

    if _needs_display():
        print(
            "No display: run the kiosk under Xvfb, e.g.\n"
            "    xvfb-run -s '-screen 0 1920x1080x24' taihaoban-kiosk run --demo\n"
            "or one scripted session without a display: make demo-headless",
            file=sys.stderr,
        )
        return 2
    if not args.demo:
        configure_logging()
        settings = load_settings(args.config)
        if not _count_start(settings):
            return 3  # switched back: systemd starts the release before
        return app.run(settings, None, full_screen=not args.windowed)
    from kiosk.demo import DemoEnvironment, SandboxError

    try:
        with DemoEnvironment() as demo:
            configure_logging(demo.log_file)
            assert demo.settings is not None and demo.sandbox is not None
            log.info("demo: files under %s, sandbox pid %d", demo.root, demo.sandbox.pid)
            return app.run(demo.settings, demo, full_screen=not args.windowed)
    except SandboxError as error:
        print(f"run --demo: {error}", file=sys.stderr)
        return 2


def _count_start(settings: Settings) -> bool:
    """A start of a release on probation is counted (False: it was switched back). Only the
    state file is read when nothing is pending, before the first frame is painted."""
    if settings.updater is None:
        return True
    from importlib.metadata import version

    from kiosk.updater.state import StateFile

    running = version("taihaoban-kiosk")
    if StateFile(settings.terminal.state_dir).read().pending != running:
        return True
    from kiosk.updater.pending import count_start

    return count_start(settings, running)


def _needs_sandbox(handler: Handler) -> Handler:
    """One line and exit 2 when the sandbox cannot start (e.g. not in a source checkout)."""

    def run_it(args: argparse.Namespace) -> int:
        from kiosk.demo import SandboxError

        try:
            return handler(args)
        except SandboxError as error:
            print(f"{args.command}: {error}", file=sys.stderr)
            return 2

    return run_it


@_needs_sandbox
def _demo_headless(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.demo import DemoEnvironment
    from ui import app
    from ui.scripted import ScriptedResident

    out = args.out.resolve()
    shots_dir = out / "screens"
    for stale in (*out.glob("printed/*"), *shots_dir.glob("*.png")):
        stale.unlink()
    with DemoEnvironment(root=out) as demo:
        configure_logging(demo.log_file)
        assert demo.settings is not None and demo.sandbox is not None
        log.info("demo: sandbox pid %d at %s", demo.sandbox.pid, demo.sandbox.url)
        resident = ScriptedResident(args.card or demo.default_card, shots_dir=shots_dir)
        app.run(demo.settings, demo, full_screen=False, script=resident)
    print(f"session states: {' → '.join(s.value for s in resident.states)}")
    print(f"what the resident saw, step by step: {shots_dir}/ ({len(resident.shots)} PNGs)")
    for label, pattern in (("the A4 report", "report-*.pdf"), ("receipt preview", "receipt-*.png")):
        for path in sorted(demo.printed_dir.glob(pattern)):
            print(f"{label}: {path}")
    print(f"logs: {demo.log_file} and {demo.sandbox_log_file}")
    return resident.exit_code


@_needs_sandbox
def _screenshots(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.screenshots import take_screenshots

    for path in take_screenshots(args.out, args.readme_out):
        print(path)
    return 0


@_needs_sandbox
def _sandbox(args: argparse.Namespace) -> int:
    from kiosk.demo import sandbox_command

    command, env = sandbox_command(
        f"--host={args.host}",
        f"--port={args.port}",
        f"--terminal-id={args.terminal_id}",
        f"--secret-file={args.secret_file}",
    )
    os.execve(command[0], command, env)


def _diag_read_card(args: argparse.Namespace) -> int:
    import dataclasses
    import json
    import time

    from devices.base import DeviceError
    from devices.idcard.idnumber import has_id_shape, is_valid_id_number, mask_name
    from devices.idcard.reader import CardEvent
    from devices.registry import load_reader

    logging.getLogger().addHandler(logging.NullHandler())  # the one line below says it all
    settings = load_settings(args.config)
    driver, options = settings.card_reader.driver, settings.card_reader.options
    if args.reader is not None:
        if driver != "pcsc":
            print(f"read-card: --reader needs the pcsc driver, not {driver!r}", file=sys.stderr)
            return 2
        try:
            options = dataclasses.replace(options, reader=args.reader)
        except ValueError as error:
            print(f"read-card: --{error}", file=sys.stderr)
            return 2
    deadline = time.monotonic() + args.timeout
    try:
        reader = load_reader(driver, options)
    except DeviceError as error:
        print(f"read-card: cannot use reader driver {driver!r}: {error}", file=sys.stderr)
        return 1
    try:
        reader.open()
        while True:
            left = deadline - time.monotonic()
            if reader.wait_for_card_event(max(0.0, min(0.25, left))) is CardEvent.INSERTED:
                break
            if time.monotonic() >= deadline:
                print(f"read-card: no card laid within {args.timeout:g} s", file=sys.stderr)
                return 1
        started = time.perf_counter()
        card = reader.read_card(max(1.0, deadline - time.monotonic()))
        read_ms = round((time.perf_counter() - started) * 1000)
    except DeviceError as error:
        hint = f" ({error.technician_hint})" if error.technician_hint else ""
        print(f"read-card: {error.message} [{error.code}]{hint}", file=sys.stderr)
        return 1
    finally:
        reader.close()
    number = card.id_number
    result = {
        "card_type": card.card_type.value,
        "name_masked": mask_name(card.name),
        "id_masked": number[:4] + "*" * 10 + number[-4:],
        "id_checksum_ok": is_valid_id_number(number) if has_id_shape(number) else None,
        "valid_to": "long_term" if card.valid_to is None else card.valid_to.isoformat(),
        "photo_bytes": len(card.photo),
        "read_ms": read_ms,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


def _diag_outbox(args: argparse.Namespace) -> int:
    from offline_cache.outbox import Outbox

    settings = load_settings(args.config)
    outbox = Outbox(settings.terminal.state_dir / "outbox.sqlite3")
    try:
        health = outbox.health()
        dead = outbox.dead_letter_items()
    finally:
        outbox.close()
    letters = [{"key": d.idempotency_key, "kind": d.kind, "reason": d.reason} for d in dead]
    if args.json:
        print(json.dumps({**health.as_payload(), "dead_letter_items": letters}))
    else:
        print(f"queued: {health.depth} of cap {health.cap}  by kind: {dict(health.by_kind)}")
        if health.near_cap:
            print("WARNING: near the cap: heartbeats are being dropped first")
        if health.storage_full:
            print("WARNING: the last write failed: the disk is full")
        if health.recovered_from:
            print(f"WARNING: a corrupt database was moved aside: {health.recovered_from}")
        if health.dropped:
            print(f"dropped by the cap so far: {dict(health.dropped)}")
        for letter in letters:
            print(f"dead letter {letter['key']} ({letter['kind']}): {letter['reason']}")
    troubled = health.near_cap or health.storage_full or health.recovered_from or letters
    return 1 if troubled else 0


def _diag(args: argparse.Namespace) -> int:
    return {"read-card": _diag_read_card, "outbox": _diag_outbox}[args.check](args)


def _update(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    if args.action == "status":
        from kiosk.updater.updater import status

        print(json.dumps(status(settings), ensure_ascii=False, indent=2))
        return 0
    configure_logging()
    if args.action == "run":
        from kiosk.updater.updater import poll

        return poll(settings, jitter=not args.now)
    from kiosk.updater.updater import roll_back_from_outside

    abandoned = roll_back_from_outside(settings, args.reason)
    print(f"rolled back from {abandoned}" if abandoned else "nothing to roll back")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "run": _run,
        "demo-headless": _demo_headless,
        "screenshots": _screenshots,
        "sandbox": _sandbox,
        "diag": _diag,
        "update": _update,
    }
    try:
        return handlers[args.command](args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
