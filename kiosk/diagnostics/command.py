"""``taihaoban-kiosk diag``: the technician's checks over SSH (the parser is in ``ui.cli``).

Each command reads only the configuration it needs: a device command works with only that
device's section, or with none at all when the device is given on the command line
(``--reader DRIVER[:OPTIONS]``, options as the inside of a TOML inline table:
``--reader 'pcsc:reader="ACS*"'``). Exit codes: 0 healthy / done, 1 a check failed or
needs attention, 2 a configuration or usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import secrets
import sqlite3
import sys
import tempfile
import tomllib
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from devices.base import HealthLevel
from devices.printers.kept_jobs import KeptJobStore
from kiosk.config import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    DeviceSettings,
    PartialSettings,
    PlatformSettings,
    device_settings,
    load_partial_settings,
    read_secret,
)
from kiosk.diagnostics.checks import (
    AREA_TITLES,
    STATUS_TITLES,
    Area,
    Check,
    Question,
    Status,
    by_area,
    summary_ok,
)
from kiosk.diagnostics.context import KEPT_JOBS_DIR, OUTBOX_FILE, Diagnostics
from kiosk.diagnostics.device_access import DEVICE_AREAS, LocalDevices
from kiosk.logs import kiosk_log_file
from offline_cache.outbox import Outbox

UNCONFIGURED_TERMINAL = "UNCONFIGURED"
"""The terminal id printed on test prints when no [terminal] section was read."""
DEVICE_FLAGS = {
    "reader": Area.CARD_READER,
    "receipt_printer": Area.RECEIPT_PRINTER,
    "a4_printer": Area.DOCUMENT_PRINTER,
}


def device_spec(area: Area, spec: str) -> DeviceSettings:
    """``DRIVER[:OPTIONS]`` as a device's settings; OPTIONS is the inside of a TOML inline
    table (``output_dir = "/tmp/p", faults = ["paper_out_on_job:1"]``). Raises
    ConfigError naming the problem."""
    driver, _, options_text = spec.partition(":")
    try:
        options = tomllib.loads(f"options = {{{options_text}}}")["options"]
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f'{spec!r}: options must be TOML key = value pairs, e.g. reader = "ACS*" ({error})'
        ) from None
    return device_settings(area.value, driver.strip(), options)


def _config(args: argparse.Namespace) -> PartialSettings:
    """The given ``--config``; the default file only when it exists (devices given on the
    command line need none)."""
    path: Path | None = args.config
    if path is None:
        path = DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None
    return PartialSettings() if path is None else load_partial_settings(path)


def _secret(settings: PartialSettings) -> bytes | None:
    """The terminal secret, or None when it cannot be read here (device checks do not need
    it; the platform and kept-job checks then say so)."""
    if settings.terminal is None:
        return None
    try:
        return read_secret(settings.terminal.secret_file)
    except ConfigError:
        return None


def _given_devices(args: argparse.Namespace) -> dict[Area, str]:
    """The devices given on the command line of ``diag`` itself."""
    flags = ((area, getattr(args, flag, None)) for flag, area in DEVICE_FLAGS.items())
    return {area: spec for area, spec in flags if spec is not None}


@contextmanager
def _diagnostics(
    args: argparse.Namespace, given: Mapping[Area, str], uses: Collection[Area] = DEVICE_AREAS
) -> Iterator[Diagnostics]:
    """``given``: devices from the command line (``DRIVER[:OPTIONS]``), in place of the
    configured ones; ``uses``: the devices the command needs (no other is loaded)."""
    settings = _config(args)
    devices = {Area(kind): device for kind, device in settings.devices.items()}
    devices |= {area: device_spec(area, spec) for area, spec in given.items()}
    devices = {area: device for area, device in devices.items() if area in uses}
    terminal = settings.terminal
    state_dir = None if terminal is None else terminal.state_dir
    secret = _secret(settings)
    outbox = None
    if state_dir is not None and state_dir.is_dir():
        try:
            outbox = Outbox(state_dir / OUTBOX_FILE)
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(
                f"{state_dir / OUTBOX_FILE}: cannot open ({error}); run diag as the kiosk's user"
            ) from None
    with tempfile.TemporaryDirectory(prefix="taihaoban-diag-") as scratch:
        if state_dir is not None and secret is not None:
            kept = KeptJobStore(state_dir / KEPT_JOBS_DIR, secret)
        else:  # no terminal: a job a fault interrupts is not kept past this command
            kept = KeptJobStore(Path(scratch), secrets.token_bytes(32))
        local = LocalDevices(devices, kept)
        diag = Diagnostics(
            terminal_id=UNCONFIGURED_TERMINAL if terminal is None else terminal.id,
            devices=local,
            state_dir=state_dir,
            platform=settings.platform,
            updater=settings.updater,
            secret=secret,
            outbox=outbox,
            log_file=None if state_dir is None else kiosk_log_file(state_dir),
            send_outbox=None,
        )
        if outbox is not None and settings.platform is not None and secret is not None:
            diag = _with_drain(diag, outbox, settings.platform, secret)
        try:
            yield diag
        finally:
            local.close()
            if outbox is not None:
                outbox.close()


def _with_drain(
    diag: Diagnostics, outbox: Outbox, platform: PlatformSettings, secret: bytes
) -> Diagnostics:
    """ "Send now" in this process: drain rounds until the queue is empty or the platform
    refuses (the kiosk's own drain may send at the same time: idempotency keys make that
    harmless)."""
    from kiosk.platform.client import PlatformClient
    from kiosk.platform.outbox_drain import BATCH, OutboxDrainer

    def send() -> None:
        with PlatformClient(
            platform.base_url,
            diag.terminal_id,
            secret,
            connect_timeout=platform.connect_timeout_s,
            read_timeout=platform.read_timeout_s,
            retries=0,
            ca_file=platform.ca_file,
        ) as client:
            drainer = OutboxDrainer(outbox, client)
            while drainer.drain_once() >= BATCH:
                pass

    return replace(diag, send_outbox=send)


# --- output ---
def _padded(text: str, columns: int) -> str:
    """``text`` padded to ``columns`` terminal columns (a Chinese character takes two)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, columns - width)


def _print_checks(checks: list[Check]) -> None:
    for area, in_area in by_area(checks).items():
        print(AREA_TITLES[area])
        for check in in_area:
            print(f"  {_padded(STATUS_TITLES[check.status], 8)}{check.name:<20} {check.summary}")
            if check.status in (Status.FAIL, Status.WARN):
                for line in (check.detail, f"hint: {check.hint}" if check.hint else ""):
                    if line:
                        print(f"{'':30}{line}")
    failed = sum(c.status is Status.FAIL for c in checks)
    warned = sum(c.status is Status.WARN for c in checks)
    if failed or warned:
        print(f"总体：{failed} 项故障，{warned} 项需要注意")
    else:
        print("总体：正常")


def _report(checks: list[Check], as_json: bool, **extra: Any) -> int:
    ok = summary_ok(checks)
    if as_json:
        payload = {"ok": ok, **extra, "checks": [c.as_json() for c in checks]}
        print(json.dumps(payload, ensure_ascii=False))
    else:
        _print_checks(checks)
    return 0 if ok else 1


def ask_on_stdin(question: Question) -> bool:
    """INTERACTIVE checks over SSH: the question on stderr, y or n on stdin."""
    while True:
        print(f"{question.text} [y = {question.yes} / n = {question.no}] ", end="", file=sys.stderr)
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:  # end of input: nobody to answer
            return False
        if answer.strip().lower() in ("y", "yes", "是"):
            return True
        if answer.strip().lower() in ("n", "no", "否"):
            return False


# --- the commands ---
def run(args: argparse.Namespace) -> int:
    # The report says it all: no log lines on the terminal (they go to the kiosk's log).
    logging.getLogger().addHandler(logging.NullHandler())
    handlers = {
        None: _checks,
        "read-card": _read_card,
        "test-print": _test_print,
        "outbox": _outbox,
        "platform": _platform,
        "service": _service,
        "kept-jobs": _kept_jobs,
        "logs": _logs,
    }
    return handlers[args.check](args)  # a ConfigError: ui.cli.main says it, exit 2


def _checks(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.run import run_checks

    level = HealthLevel(args.level)
    with _diagnostics(args, _given_devices(args)) as diag:
        ask = ask_on_stdin if level is HealthLevel.INTERACTIVE else None
        checks = run_checks(diag, level, ask)
        return _report(checks, args.json, terminal_id=diag.terminal_id, level=level.value)


def _read_card(args: argparse.Namespace) -> int:
    """Exit 0 and the masked result on a good read; 1 and one line on stderr otherwise."""
    from kiosk.diagnostics.actions import record_action
    from kiosk.diagnostics.device_checks import read_card_test

    given = {} if args.reader is None else {Area.CARD_READER: args.reader}
    with _diagnostics(args, given, uses=[Area.CARD_READER]) as diag:
        if Area.CARD_READER not in diag.devices.drivers():
            raise ConfigError("no card reader: add a [card_reader] section or give --reader")
        check = read_card_test(diag.devices, args.timeout)
        record_action(diag, "read_card_test", check.status.value)
    if check.status is not Status.OK:
        hint = f" ({check.hint})" if check.hint else ""
        print(f"read-card: {check.detail}{hint}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(dict(check.facts), ensure_ascii=False))
    else:
        for key, value in check.facts.items():
            print(f"{key}: {value}")
    return 0


def _test_print(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.actions import record_action
    from kiosk.diagnostics.device_checks import print_test_page

    area = Area.RECEIPT_PRINTER if args.kind == "receipt" else Area.DOCUMENT_PRINTER
    given = {} if args.printer is None else {area: args.printer}
    with _diagnostics(args, given, uses=[area]) as diag:
        if area not in diag.devices.drivers():
            raise ConfigError(f"no {area.value}: add a [{area.value}] section or give --printer")
        now = dt.datetime.now().astimezone()
        check = print_test_page(diag.devices, area, diag.terminal_id, now)
        record_action(diag, f"test_print_{args.kind}", check.status.value)
    return _report([check], args.json)


def _outbox(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.outbox_checks import requeue_dead_letter, retry_now

    with _diagnostics(args, {}, uses=()) as diag:
        if diag.outbox is None:
            raise ConfigError("the outbox needs the [terminal] section (its state_dir)")
        actions = []
        if args.requeue is not None:
            actions.append(requeue_dead_letter(diag, args.requeue))
        if args.retry:
            actions.append(retry_now(diag))
        for action in actions:
            print(f"{STATUS_TITLES[action.status]}: {action.summary}", file=sys.stderr)
        health = diag.outbox.health()
        dead = diag.outbox.dead_letter_items()
    letters = [{"key": d.idempotency_key, "kind": d.kind, "reason": d.reason} for d in dead]
    if args.json:
        print(json.dumps({**health.as_payload(), "dead_letter_items": letters}))
    else:
        print(f"queued: {health.depth} of cap {health.cap}  by kind: {dict(health.by_kind)}")
        if health.oldest_age_s is not None:
            print(f"oldest item waits for {health.oldest_age_s:.0f} s")
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
    failed_action = any(a.status is Status.FAIL for a in actions)
    return 1 if troubled or failed_action else 0


def _platform(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.platform_checks import platform_checks

    with _diagnostics(args, {}, uses=()) as diag:
        if diag.platform is None:
            raise ConfigError("the platform checks need the [platform] and [terminal] sections")
        return _report(platform_checks(diag), args.json)


def _service(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.terminal_checks import set_service

    with _diagnostics(args, {}, uses=()) as diag:
        if diag.state_dir is None:
            raise ConfigError("the service switch needs the [terminal] section (its state_dir)")
        check = set_service(diag, args.state == "on", args.reason)
    print(check.summary)
    return 0


def _kept_jobs(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.kept_jobs import cancel_kept_job, kept_jobs_check, release_kept_jobs

    given = {} if args.printer is None else {Area.DOCUMENT_PRINTER: args.printer}
    with _diagnostics(args, given, uses=[Area.DOCUMENT_PRINTER]) as diag:
        if diag.kept_jobs is None:
            raise ConfigError("kept jobs need the [terminal] section and its secret file")
        checks = []
        if args.cancel is not None:
            checks.append(cancel_kept_job(diag, args.cancel))
        if args.release:
            checks.append(release_kept_jobs(diag))
        checks.append(kept_jobs_check(diag))
        return _report(checks, args.json)


def _logs(args: argparse.Namespace) -> int:
    from kiosk.diagnostics.terminal_checks import last_log_lines

    with _diagnostics(args, {}, uses=()) as diag:
        if diag.log_file is None:
            raise ConfigError("the log is found through the [terminal] section (its state_dir)")
        if not diag.log_file.exists():
            print(f"logs: no log file at {diag.log_file}", file=sys.stderr)
            return 1
        for line in last_log_lines(diag.log_file, args.lines):
            print(line)
    return 0
