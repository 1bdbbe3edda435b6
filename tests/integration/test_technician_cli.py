"""``taihaoban-kiosk diag`` against simulated devices with scripted faults and a sandbox
platform process: the JSON it prints and its exit codes."""

from __future__ import annotations

import io
import json
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.printers.kept_jobs import KeptJobStore
from kiosk import demo
from kiosk.demo import SandboxProcess
from kiosk.platform.outbox_items import enqueue
from offline_cache.outbox import Outbox
from tests import payloads
from tests.cards import make_card
from ui.cli import main

TERMINAL = "XT-DIAG-001"


def write_config(root: Path, base_url: str, **device_options: str) -> Path:
    """A complete config: simulated devices (each with ``device_options[table]`` as its
    options' TOML lines) printing into ``root/printed``."""
    lines = [
        "[terminal]",
        f'id = "{TERMINAL}"',
        f'secret_file = "{root}/terminal.secret"',
        f'state_dir = "{root}/state"',
        "[platform]",
        f'base_url = "{base_url}"',
        "connect_timeout_s = 1.0",
        "read_timeout_s = 2.0",
        "retries = 0",
    ]
    for table in ("card_reader", "receipt_printer", "document_printer"):
        lines += [f"[{table}]", 'driver = "simulated"', f"[{table}.options]"]
        if table != "card_reader":
            lines += [f'output_dir = "{root}/printed"', "job_delay_s = 0.0"]
        lines.append(device_options.get(table, ""))
    path = root / "kiosk.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "state").mkdir(exist_ok=True)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "terminal.secret").write_text(secrets.token_bytes(32).hex(), encoding="ascii")
    (tmp_path / "terminal.secret").chmod(0o600)
    return tmp_path


@pytest.fixture
def sandbox(root: Path) -> Iterator[SandboxProcess]:
    process = demo.start_sandbox_process(
        root, TERMINAL, root / "terminal.secret", root / "sandbox.log"
    )
    yield process
    process.stop()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: the platform is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def diag_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["diag", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def statuses(report: dict[str, Any], area: str) -> dict[str, str]:
    return {c["name"]: c["status"] for c in report["checks"] if c["area"] == area}


def check(report: dict[str, Any], area: str, name: str) -> dict[str, Any]:
    (found,) = [c for c in report["checks"] if c["area"] == area and c["name"] == name]
    return found


def queued(root: Path, kind: str) -> list[dict[str, Any]]:
    outbox = Outbox(root / "state" / "outbox.sqlite3")
    try:
        return [item.payload for item in outbox.peek(100) if item.kind == kind]
    finally:
        outbox.close()


def test_a_healthy_terminal_exits_zero_with_every_area_checked(
    root: Path, sandbox: SandboxProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, sandbox.url)
    code, report = diag_json(capsys, "--config", str(config))
    assert code == 0, [c for c in report["checks"] if c["status"] in ("fail", "warn")]
    assert report["ok"] is True and report["terminal_id"] == TERMINAL
    assert {c["area"] for c in report["checks"]} == {
        "card_reader",
        "receipt_printer",
        "document_printer",
        "platform",
        "outbox",
        "terminal",
    }
    assert statuses(report, "platform") == {
        "dns": "ok",
        "tcp": "ok",
        "tls": "ok",
        "signed_ping": "ok",
        "latency": "ok",
        "clock_skew": "ok",
    }
    assert "HTTP" in check(report, "platform", "tls")["summary"]  # loopback demo: said so
    assert check(report, "receipt_printer", "sensors")["facts"]["paper"] == "ok"
    assert check(report, "terminal", "update")["status"] == "skipped"


@pytest.mark.parametrize(
    ("table", "fault", "failing", "fact"),
    [
        ("receipt_printer", "paper_out_after_job:0", "sensors", ("paper", "out")),
        ("document_printer", "cover_open_after_job:0", "sensors", ("cover", "open")),
        ("card_reader", "missing_after_open:0", "driver", None),
    ],
)
def test_a_scripted_device_fault_fails_its_device_alone(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    table: str,
    fault: str,
    failing: str,
    fact: tuple[str, str] | None,
) -> None:
    config = write_config(root, closed_port_url(), **{table: f'faults = ["{fault}"]'})
    code, report = diag_json(capsys, "--config", str(config))
    assert code == 1 and report["ok"] is False
    failed = check(report, table, failing)
    assert failed["status"] == "fail" and failed["hint"]
    if fact is not None:
        assert failed["facts"][fact[0]] == fact[1]
        assert check(report, table, "health_internal")["status"] == "fail"
    else:
        assert "not_found" in failed["detail"]
    others = {"card_reader", "receipt_printer", "document_printer"} - {table}
    for other in others:
        assert "fail" not in statuses(report, other).values()


def test_platform_down_fails_at_the_first_step_that_fails(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    code, report = diag_json(capsys, "platform", "--config", str(config))
    assert code == 1
    assert statuses(report, "platform") == {
        "dns": "ok",
        "tcp": "fail",
        "tls": "skipped",
        "signed_ping": "skipped",
        "latency": "skipped",
        "clock_skew": "skipped",
    }


def test_a_platform_that_answers_with_errors_fails_the_signed_ping(
    root: Path, sandbox: SandboxProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.inject_fault("http_503", count=10)
    config = write_config(root, sandbox.url)
    code, report = diag_json(capsys, "platform", "--config", str(config))
    assert code == 1
    ping = check(report, "platform", "signed_ping")
    assert ping["status"] == "fail" and "SERVICE_UNAVAILABLE" in ping["detail"]
    assert statuses(report, "platform")["tcp"] == "ok"


def test_a_wrong_secret_is_named_by_the_signed_ping(
    root: Path, sandbox: SandboxProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, sandbox.url)
    (root / "terminal.secret").write_text(secrets.token_bytes(32).hex(), encoding="ascii")
    code, report = diag_json(capsys, "platform", "--config", str(config))
    assert code == 1
    ping = check(report, "platform", "signed_ping")
    assert "BAD_SIGNATURE" in ping["detail"] and "secret" in ping["hint"]


def test_dead_letters_fail_until_requeued_and_the_requeue_is_recorded(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    outbox = Outbox(root / "state" / "outbox.sqlite3")
    key = enqueue(outbox, payloads.print_record("XT20261201000001"))
    outbox.move_to_dead_letter(key, "REPORT_NOT_FOUND")
    outbox.close()

    code, report = diag_json(capsys, "--config", str(config))
    assert code == 1
    letters = check(report, "outbox", "dead_letters")
    assert letters["status"] == "fail"
    assert letters["facts"] == {key: "print_record: REPORT_NOT_FOUND"}

    code, listing = diag_json(capsys, "outbox", "--config", str(config), "--requeue", key)
    assert code == 0 and listing["dead_letter_items"] == []
    assert listing["by_kind"]["print_record"] == 1
    actions = queued(root, "technician_action")
    assert [(a["action"], a["detail"]) for a in actions] == [("requeue_dead_letter", key)]
    assert actions[0]["terminal_id"] == TERMINAL


def test_requeueing_an_unknown_key_exits_one(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    assert main(["diag", "outbox", "--config", str(config), "--requeue", "nope"]) == 1
    assert "没有这条被拒收的记录" in capsys.readouterr().err


def test_retry_now_sends_held_back_items_to_the_platform(
    root: Path, sandbox: SandboxProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, sandbox.url)
    outbox = Outbox(root / "state" / "outbox.sqlite3")
    key = enqueue(outbox, payloads.device_fault())
    outbox.defer(key, "HTTP_500", 3600)  # held back an hour
    outbox.close()
    code, listing = diag_json(capsys, "outbox", "--config", str(config), "--retry")
    assert code == 0 and listing["depth"] == 0
    assert sandbox.state()["events_by_kind"]["device_fault"] == 1


def test_service_off_survives_in_the_state_dir_until_switched_on(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    assert main(["diag", "service", "off", "--config", str(config), "--reason", "换纸"]) == 0
    assert "暂停服务" in capsys.readouterr().out
    _, report = diag_json(capsys, "--config", str(config))
    service = check(report, "terminal", "service")
    assert service["status"] == "warn" and service["facts"]["in_service"] is False
    assert "换纸" in service["summary"]

    assert main(["diag", "service", "on", "--config", str(config)]) == 0
    capsys.readouterr()
    _, report = diag_json(capsys, "--config", str(config))
    assert check(report, "terminal", "service")["status"] == "ok"
    actions = [(a["action"], a.get("detail", "")) for a in queued(root, "technician_action")]
    assert actions == [("service_off", "换纸"), ("service_on", "")]


def test_one_device_section_is_enough_for_its_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[receipt_printer]\ndriver = "simulated"\n[receipt_printer.options]\n'
        f'output_dir = "{tmp_path}/printed"\njob_delay_s = 0.0\n',
        encoding="utf-8",
    )
    code, report = diag_json(capsys, "test-print", "receipt", "--config", str(config))
    assert code == 0 and report["checks"][0]["facts"]["confirmed"] is True
    assert len(list((tmp_path / "printed").glob("receipt-*.bin"))) == 1
    assert main(["diag", "read-card", "--config", str(config)]) == 2
    assert "no card reader" in capsys.readouterr().err


def test_devices_on_the_command_line_need_no_config_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.toml"
    printer = f'simulated:output_dir = "{tmp_path}/printed", faults = ["paper_out_on_job:1"]'
    argv = ["test-print", "a4", "--config", str(missing), "--printer", printer]
    assert main(["diag", *argv]) == 2  # a --config given must exist
    assert "cannot read" in capsys.readouterr().err
    code, report = diag_json(capsys, "test-print", "a4", "--printer", printer)
    assert code == 1
    failed = report["checks"][0]
    assert failed["status"] == "fail" and "paper_out" in failed["detail"]
    code, report = diag_json(capsys, "--reader", 'simulated:faults = ["missing_after_open:0"]')
    assert code == 1 and check(report, "card_reader", "driver")["status"] == "fail"
    assert check(report, "receipt_printer", "driver")["status"] == "skipped"


def test_a_reader_that_never_sees_a_card_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diag", "read-card", "--reader", "simulated", "--timeout", "0.3"]) == 1
    assert capsys.readouterr().err == "read-card: no card laid within 0.3 s\n"


def test_interactive_checks_ask_on_stdin(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    monkeypatch.setattr("sys.stdin", io.StringIO("y\nmaybe\nn\ny\n"))
    code, report = diag_json(capsys, "--config", str(config), "--level", "interactive")
    assert code == 1
    assert check(report, "card_reader", "health_interactive")["status"] == "ok"
    receipt = check(report, "receipt_printer", "health_interactive")
    assert receipt["status"] == "fail" and "有问题" in receipt["summary"]
    assert check(report, "document_printer", "health_interactive")["status"] == "ok"
    assert [a["action"] for a in queued(root, "technician_action")] == ["diagnostics"]


def test_kept_a4_jobs_are_listed_and_cancelled(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(root, closed_port_url())
    secret = bytes.fromhex((root / "terminal.secret").read_text(encoding="ascii"))
    store = KeptJobStore(root / "state" / "kept-print-jobs", secret)
    job, _ = store.keep(b"%PDF-1.4 kept", "report XT1")
    code, report = diag_json(capsys, "kept-jobs", "--config", str(config))
    assert code == 1
    (kept,) = report["checks"]
    assert kept["status"] == "warn" and list(kept["facts"]) == [job.id]

    code, report = diag_json(capsys, "kept-jobs", "--config", str(config), "--cancel", job.id)
    assert code == 0
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("cancel", "ok"),
        ("kept_jobs", "ok"),
    ]
    assert store.jobs() == []
    assert [a["action"] for a in queued(root, "technician_action")] == ["cancel_kept_job"]


def test_the_log_tail_is_printed_masked(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(root, closed_port_url())
    log = root / "state" / "log" / "kiosk.log"
    log.parent.mkdir()
    number = make_card().id_number
    log.write_text("".join(f"line {i}\n" for i in range(5)) + f"card {number}\n", "utf-8")
    assert main(["diag", "logs", "--config", str(config), "--lines", "2"]) == 0
    out = capsys.readouterr().out
    assert out == f"line 4\ncard {number[:4]}**********{number[-4:]}\n"
