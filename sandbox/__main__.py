"""``python -m sandbox serve``: the sandbox platform as its own process on loopback.

Demo mode, the benches and the tests start it this way (``kiosk.demo.start_sandbox_process``),
exactly as the real platform is another machine; ``taihaoban-kiosk sandbox`` runs it alone.
It writes its URL into ``--ready-file`` (atomically, once it answers), the demo cards into
``--demo-cards``, serves until SIGTERM or SIGINT, and also stops when ``--parent-pid`` is no
longer its parent, so a killed kiosk leaves no sandbox behind.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import signal
import sys
from pathlib import Path

from devices.idcard.text_block import encode_text_block
from sandbox import population
from sandbox.server import start_sandbox

log = logging.getLogger("sandbox")

DEMO_CARDS_FILE = "cards.json"
PARENT_CHECK_S = 0.5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="信用平台沙箱")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the credit-platform sandbox")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8480, help="0 picks a free port")
    serve.add_argument("--terminal-id", default="XT-DEMO-001")
    serve.add_argument("--secret-file", type=Path, required=True, help="the secret, as hex")
    serve.add_argument("--ready-file", type=Path, help="gets the URL once the sandbox answers")
    serve.add_argument("--demo-cards", type=Path, help=f"a folder to write {DEMO_CARDS_FILE} in")
    serve.add_argument("--log-file", type=Path, help="log here instead of stderr")
    serve.add_argument("--parent-pid", type=int, help="stop once this process is gone")
    serve.add_argument("--journal", type=Path, help="remember what was received across restarts")
    serve.add_argument(
        "--fleet-terminal",
        action="append",
        default=[],
        metavar="ID",
        help="another registered terminal, with the same secret (a simulated fleet)",
    )
    serve.add_argument(
        "--operator-token-file",
        type=Path,
        help="the operators' bearer token for GET /api/v1/fleet/terminals",
    )
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument(
        "--token-ttl-s",
        type=float,
        default=600.0,
        help="seconds a resident session token lives (tests make it short)",
    )
    return parser


def demo_cards_manifest() -> dict[str, object]:
    """The demo cards as the kiosk's simulated reader takes them: a caption and the text block.

    A few residents that show every kind of outcome, plus two cards that must fail;
    ``default_card`` is the resident with the most records (the scripted session's card).
    """
    cards = [
        (resident.key, f"{resident.card().name[0]}某 · {what}", encode_text_block(resident.card()))
        for resident, what in population.demo_residents()
    ]
    cards.append(("bad-check", "校验位错误", population.bad_checksum_block()))
    cards.append(("garbled", "损坏的卡", population.garbled_block()))
    return {
        "default_card": population.richest_resident().key,
        "cards": [
            {"key": key, "caption": caption, "text_block": base64.b64encode(block).decode()}
            for key, caption, block in cards
        ],
    }


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        filename=args.log_file,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    secret = bytes.fromhex(args.secret_file.read_text(encoding="ascii").strip())
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)  # before any server thread starts
    operator_token = None
    if args.operator_token_file is not None:
        operator_token = args.operator_token_file.read_text(encoding="utf-8").strip()
    terminals = dict.fromkeys([args.terminal_id, *args.fleet_terminal], secret)
    if (args.tls_cert is None) is not (args.tls_key is None):
        log.error("--tls-cert and --tls-key go together")
        return 2
    with start_sandbox(
        terminals,
        host=args.host,
        port=args.port,
        token_ttl_s=args.token_ttl_s,
        journal=args.journal,
        operator_token=operator_token,
        tls=None if args.tls_cert is None else (args.tls_cert, args.tls_key),
    ) as sandbox:
        if args.demo_cards is not None:
            args.demo_cards.mkdir(parents=True, exist_ok=True)
            manifest = json.dumps(demo_cards_manifest(), ensure_ascii=False, indent=1)
            _write_atomically(args.demo_cards / DEMO_CARDS_FILE, manifest)
        if args.ready_file is not None:
            _write_atomically(args.ready_file, sandbox.url)
        log.info("sandbox platform listening on %s (pid %d)", sandbox.url, os.getpid())
        why = "stop signal"
        while signal.sigtimedwait(stop_signals, PARENT_CHECK_S) is None:
            if args.parent_pid is not None and os.getppid() != args.parent_pid:
                why = "the process that started it is gone"
                break
        log.info("sandbox platform stopping: %s", why)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"serve": _serve}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
