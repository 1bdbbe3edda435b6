"""The crash test's victim: a process that enqueues and drains until it is SIGKILLed.

``python -m tests.outbox_crash_worker run --db PATH --url URL --terminal ID --secret-file F
--report-no R --prefix P --start N`` opens the outbox (migrating or recovering it as the
kiosk would), starts an ``OutboxDrainer`` sending to the platform at URL, and enqueues
items with the keys ``P-<n>`` for n = N, N+1, …; each key is printed on stdout the moment
``enqueue`` has returned, i.e. once the item is acknowledged. It never stops by itself.

``python -m tests.outbox_crash_worker serve`` is a fork server, so a victim costs a fork
instead of an interpreter start and its imports: it reads one JSON command per line on
stdin and answers one JSON line on stdout.

- ``{"spawn": {<the run options, without dashes>, "stdout": PATH, "stderr": PATH}}``
  forks a victim (a real process, its stdout going to PATH) → ``{"pid": N}``.
- ``{"reap": N}`` waits for victim N to end → ``{"pid": N, "signal": S, "exit": E}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from kiosk.contract import Payload
from kiosk.platform.client import PlatformClient
from kiosk.platform.outbox_drain import OutboxDrainer
from kiosk.platform.outbox_items import enqueue
from offline_cache.outbox import Outbox
from tests import payloads

KINDS = ("print_record", "device_fault", "heartbeat", "technician_action")


def kind_of(n: int) -> str:
    """The kind of item number ``n``: mostly query records, some of every other kind."""
    return KINDS[n % 10] if n % 10 < len(KINDS) else "query_record"


def payload_of(n: int, kind: str, report_no: str) -> Payload:
    if kind == "print_record":
        return payloads.print_record(report_no, pages=1 + n % 3)
    if kind == "device_fault":
        return payloads.device_fault(message=f"crash-test item {n}")
    if kind == "heartbeat":
        return payloads.heartbeat({"item": str(n)})
    if kind == "technician_action":
        return payloads.technician_action(f"crash_test_{n}")
    return payloads.query_record()


def key_of(prefix: str, n: int) -> str:
    return f"{prefix}-{n:07d}"


def run(options: dict[str, Any]) -> int:
    secret = bytes.fromhex(Path(options["secret_file"]).read_text(encoding="ascii").strip())
    outbox = Outbox(Path(options["db"]), max_items=1_000_000)
    platform = PlatformClient(
        options["url"], options["terminal"], secret, connect_timeout=1, read_timeout=2, retries=0
    )
    drainer = OutboxDrainer(outbox, platform, interval_s=0.02, max_backoff_s=0.2)
    drainer.start()
    pause = float(options.get("pause", 0.002))
    n = int(options["start"])
    while True:
        kind = kind_of(n)
        key = key_of(options["prefix"], n)
        enqueue(outbox, payload_of(n, kind, options["report_no"]), key)
        print(key, flush=True)  # acknowledged: the item is committed
        n += 1
        if n % 25 == 0:
            drainer.nudge()
        time.sleep(pause)


def serve() -> int:
    for line in sys.stdin:
        command = json.loads(line)
        if "spawn" in command:
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(command["spawn"])
            reply: dict[str, Any] = {"pid": pid}
        else:
            pid, status = os.waitpid(int(command["reap"]), 0)
            reply = {
                "pid": pid,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            }
        print(json.dumps(reply), flush=True)
    return 0


def _child(options: dict[str, Any]) -> None:
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open(options["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        err = os.open(options["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(err, 2)
        for fd in (null, out, err):
            os.close(fd)
        code = run(options)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.outbox_crash_worker")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve")
    victim = sub.add_parser("run")
    for name in ("db", "url", "terminal", "secret-file", "report-no", "prefix"):
        victim.add_argument(f"--{name}", required=True)
    victim.add_argument("--start", type=int, default=0)
    victim.add_argument("--pause", type=float, default=0.002)
    args = parser.parse_args()
    if args.command == "serve":
        return serve()
    return run({k: v for k, v in vars(args).items() if k != "command"})


if __name__ == "__main__":
    sys.exit(main())
