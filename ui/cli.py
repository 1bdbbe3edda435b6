"""``taihaoban-kiosk``: run the kiosk, the demo, the sandbox, or technician tools."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.config import DEFAULT_CONFIG_PATH, ConfigError, Settings, load_settings, read_secret
from kiosk.logs import configure_logging, kiosk_log_file

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
    voice = commands.add_parser("voice-pack", help="render the voice prompts (espeak-ng cmn)")
    voice.add_argument("--config", type=Path, default=DEFAULT_CONFIG_PATH)
    voice.add_argument("--out", type=Path, help="default: the configured [resident] voice_dir")
    voice.add_argument("--only", nargs="+", metavar="KEY", help="only these prompt keys")
    _diag_parser(commands)
    _update_parser(commands)
    commands.add_parser(
        "technician-pin",
        help="ask for a technician PIN twice and print its config line (a salted hash)",
        description="The line goes into the [technician] table of kiosk.toml. Exit code 0 "
        "when printed; 1 when the two entries differ or the PIN is not 6 to 12 digits.",
    )
    return parser


DEVICE_SPEC = "DRIVER[:OPTIONS]"
RECEIPT_EXAMPLE = '\'escpos:connection="tcp://10.0.0.5", profile="kiosk-80-cn"\''
SPEC_HELP = "a {device} instead of the configured one, e.g. {example} (OPTIONS: TOML key = value)"


def _diag_parser(commands: Any) -> None:
    """``diag``: every check at once, or one area or action (``kiosk.diagnostics.command``)."""
    diag = commands.add_parser(
        "diag",
        help="technician diagnostics: every check, or one area",
        description="Every check (devices, kept A4 jobs, platform, outbox, terminal). Exit code "
        "0 only when all are healthy, 1 otherwise, 2 for a configuration or usage error.",
    )
    diag.set_defaults(check=None)
    diag.add_argument("--config", type=Path, help=f"default: {DEFAULT_CONFIG_PATH} if present")
    diag.add_argument(
        "--level",
        choices=[level.lower() for level in ("INTERNAL", "EXTERNAL", "INTERACTIVE")],
        default="internal",
        help="external: printers print their self-test slip, the reader needs a card laid "
        "before; interactive: also asks you what you saw",
    )
    diag.add_argument("--json", action="store_true", help="one JSON object")
    for flag, device, example in (
        ("--reader", "card reader", "simulated"),
        ("--receipt-printer", "receipt printer", RECEIPT_EXAMPLE),
        ("--a4-printer", "A4 printer", "'cups:queue=\"kiosk-a4\"'"),
    ):
        spec_help = SPEC_HELP.format(device=device, example=example)
        diag.add_argument(flag, metavar=DEVICE_SPEC, help=spec_help)
    checks = diag.add_subparsers(dest="check")

    def command(name: str, help: str, description: str = "") -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = checks.add_parser(
            name, help=help, description=description or None
        )
        # SUPPRESS: a --config given before the subcommand is kept
        sub.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="as for diag")
        return sub

    read_card = command(
        "read-card",
        "wait for one card and print a masked result with the timings",
        "Exit code 0 on a good read; otherwise 1 and a one-line reason on stderr. "
        "id_checksum_ok is null for numbers without a check digit (2017 foreign PR card).",
    )
    read_card.add_argument(
        "--reader",
        metavar=DEVICE_SPEC,
        help=SPEC_HELP.format(device="reader", example="'pcsc:reader=\"ACS*\"'"),
    )
    read_card.add_argument("--timeout", type=float, default=30.0, help="seconds to wait (30)")
    read_card.add_argument("--json", action="store_true", help="one JSON line")
    test_print = command(
        "test-print",
        "print the receipt test slip or the A4 test page",
        "Terminal id, time, Chinese text (with 䶮), a QR code and a ruler. Exit code 0 when "
        "the printer confirmed the job.",
    )
    test_print.add_argument("kind", choices=["receipt", "a4"])
    test_print.add_argument(
        "--printer",
        metavar=DEVICE_SPEC,
        help=SPEC_HELP.format(device="printer", example="simulated"),
    )
    test_print.add_argument("--json", action="store_true", help="one JSON object")
    outbox = command(
        "outbox",
        "what the platform has not heard yet, what it refused (dead letters), and why",
        "Exit code 0 when the outbox is healthy; 1 when it is near its cap, past it, out of "
        "space, was recovered from a corrupt file, or holds dead letters.",
    )
    outbox.add_argument("--requeue", metavar="KEY", help="send a dead letter again")
    outbox.add_argument("--retry", action="store_true", help="send everything now")
    outbox.add_argument("--json", action="store_true", help="one JSON line")
    platform = command(
        "platform", "DNS, TCP, TLS, a signed ping, latency and clock skew, step by step"
    )
    platform.add_argument("--json", action="store_true", help="one JSON object")
    service = command(
        "service",
        "take the terminal out of service (residents see 暂停服务) or put it back",
        "Kept in the state directory: it survives a restart. The running kiosk follows "
        "within a second.",
    )
    service.add_argument("state", choices=["on", "off"])
    service.add_argument("--reason", default="", help="why (recorded, shown to technicians)")
    kept = command("kept-jobs", "A4 jobs kept through a printer fault: list, release, cancel")
    kept.add_argument("--release", action="store_true", help="print them all now")
    kept.add_argument("--cancel", metavar="ID", help="delete one unprinted")
    kept.add_argument(
        "--printer",
        metavar=DEVICE_SPEC,
        help=SPEC_HELP.format(device="A4 printer", example="cups"),
    )
    kept.add_argument("--json", action="store_true", help="one JSON object")
    logs = command("logs", "the last lines of the kiosk's log (ID numbers masked)")
    logs.add_argument("--lines", type=int, default=200, help="how many (200)")


def _update_parser(commands: Any) -> None:
    """``update``: what the update timer and the rollback unit run (``kiosk/updater``)."""
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
        settings = load_settings(args.config)
        read_secret(settings.terminal.secret_file)  # a missing or unsafe secret: exit 2 now
        configure_logging(kiosk_log_file(settings.terminal.state_dir))
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


def _diag(args: argparse.Namespace) -> int:
    from kiosk.diagnostics import command

    return command.run(args)


def _technician_pin(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.technician import hash_pin

    pin = getpass.getpass("technician PIN (6-12 digits): ")
    if getpass.getpass("the same PIN again: ") != pin:
        print("technician-pin: the two entries differ", file=sys.stderr)
        return 1
    try:
        line = hash_pin(pin)
    except ValueError as error:
        print(f"technician-pin: {error}", file=sys.stderr)
        return 1
    print("# in kiosk.toml:\n[technician]")
    print(f'pin_hash = "{line}"')
    return 0


def _voice_pack(args: argparse.Namespace) -> int:
    from kiosk.voice_pack import VoicePackError, render_voice_pack, voice_dir
    from kiosk.voice_prompts import PROMPTS

    unknown = sorted(set(args.only or ()) - set(PROMPTS))
    if unknown:
        print(f"voice-pack: no prompt {', '.join(unknown)}", file=sys.stderr)
        return 2
    out = args.out or voice_dir(load_settings(args.config))
    try:
        written = render_voice_pack(out, args.only or PROMPTS)
    except VoicePackError as error:
        print(f"voice-pack: {error}", file=sys.stderr)
        return 1
    print(f"{len(written)} prompts in {out}")
    return 0


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
        "technician-pin": _technician_pin,
        "update": _update,
        "voice-pack": _voice_pack,
    }
    try:
        return handlers[args.command](args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
