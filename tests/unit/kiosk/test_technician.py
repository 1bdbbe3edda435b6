import json
import tomllib
from pathlib import Path

import pytest

from kiosk.config import ConfigError, settings_from_dict
from kiosk.technician import (
    LOCK_FILE,
    LOCKOUT_S,
    CornerTaps,
    Gate,
    Phase,
    PinLockout,
    PinResult,
    TechnicianMode,
    hash_pin,
    parse_pin_hash,
    pin_matches,
)
from tests.clock import FakeClock
from ui.cli import main

PIN = "246810"
CHEAP = {"n": 2**4, "r": 1, "p": 1}
"""Parameters stored with the hash: tests hash in microseconds, terminals in 0.2 s."""


def test_a_pin_hash_matches_its_pin_only() -> None:
    stored = parse_pin_hash(hash_pin(PIN, **CHEAP))
    assert pin_matches(PIN, stored)
    assert not pin_matches("246811", stored)
    assert not pin_matches("", stored)


def test_the_same_pin_hashes_differently_each_time() -> None:
    assert hash_pin(PIN, **CHEAP) != hash_pin(PIN, **CHEAP)


def test_the_default_parameters_are_stored_with_the_hash() -> None:
    text = hash_pin(PIN)
    assert text.startswith("scrypt$32768$8$1$")
    assert str(parse_pin_hash(text)) == text


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "12345a", "１２３４５６"])
def test_a_pin_is_six_to_twelve_ascii_digits(pin: str) -> None:
    with pytest.raises(ValueError):
        hash_pin(pin, **CHEAP)


@pytest.mark.parametrize(
    "text",
    [
        "246810",
        "scrypt$16$1$1$00$00",
        "scrypt$15$1$1$" + "0" * 32 + "$" + "0" * 64,  # n not a power of two
        "scrypt$16777216$8$1$" + "0" * 32 + "$" + "0" * 64,  # 16 GiB
        "bcrypt$16$1$1$" + "0" * 32 + "$" + "0" * 64,
    ],
)
def test_the_config_refuses_what_is_not_a_usable_pin_hash(text: str) -> None:
    data = {
        "terminal": {"id": "XT-1", "secret_file": "/s"},
        "platform": {"base_url": "https://credit.example"},
        "technician": {"pin_hash": text},
    }
    with pytest.raises(ConfigError, match=r"^technician\.pin_hash: "):
        settings_from_dict(data)


def test_the_config_takes_a_pin_hash_and_an_idle_timeout() -> None:
    line = hash_pin(PIN, **CHEAP)
    settings = settings_from_dict(
        {
            "terminal": {"id": "XT-1", "secret_file": "/s"},
            "platform": {"base_url": "https://credit.example"},
            "technician": {"pin_hash": line, "idle_timeout_s": 30.0},
        }
    )
    assert settings.technician.pin_hash == line
    assert settings.technician.idle_timeout_s == 30.0


def test_five_corner_taps_within_three_seconds_open_the_gate() -> None:
    taps = CornerTaps()
    assert [taps.tap(10, 20, t) for t in (0.0, 0.5, 1.0, 1.5, 2.0)] == [False] * 4 + [True]
    assert not taps.tap(10, 20, 2.1)  # the count starts over


def test_slow_taps_or_taps_elsewhere_do_not() -> None:
    taps = CornerTaps()
    assert not any(taps.tap(10, 10, t) for t in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0))
    for t in (10.0, 10.1, 10.2, 10.3):
        taps.tap(10, 10, t)
    assert not taps.tap(500, 10, 10.4)  # elsewhere: starts over
    assert not taps.tap(10, 10, 10.5)


class Recorder:
    def __init__(self) -> None:
        self.actions: list[tuple[str, str]] = []
        self.claimable = True
        self.claimed = False

    def __call__(self, action: str, detail: str) -> None:
        self.actions.append((action, detail))

    def claim(self) -> bool:
        self.claimed = self.claimable
        return self.claimable

    def release(self) -> None:
        self.claimed = False


def mode(state_dir: Path, recorder: Recorder, clock: FakeClock, wall: FakeClock) -> TechnicianMode:
    return TechnicianMode(
        hash_pin(PIN, **CHEAP),
        PinLockout(state_dir, wall),
        idle_timeout_s=120.0,
        record=recorder,
        claim_terminal=recorder.claim,
        release_terminal=recorder.release,
        clock=clock,
    )


@pytest.fixture
def wall() -> FakeClock:
    return FakeClock(start=1_900_000_000.0)


def test_the_right_pin_opens_the_mode_and_claims_the_terminal(
    tmp_path: Path, clock: FakeClock, wall: FakeClock
) -> None:
    recorder = Recorder()
    technician = mode(tmp_path, recorder, clock, wall)
    assert technician.gesture(resident_present=False) is Gate.PIN_PAD
    assert technician.submit_pin(PIN).result is PinResult.ENTERED
    assert technician.phase is Phase.OPEN and recorder.claimed
    assert technician.gesture(resident_present=False) is Gate.OPEN
    technician.act("test_print", "receipt")
    technician.leave()
    assert technician.phase is Phase.CLOSED and not recorder.claimed
    assert recorder.actions == [("entered", ""), ("test_print", "receipt"), ("left", "")]


def test_no_pin_pad_while_a_resident_holds_the_terminal(
    tmp_path: Path, clock: FakeClock, wall: FakeClock
) -> None:
    recorder = Recorder()
    technician = mode(tmp_path, recorder, clock, wall)
    assert technician.gesture(resident_present=True) is Gate.RESIDENT_PRESENT
    assert technician.phase is Phase.CLOSED
    # a card laid while the PIN is typed: the terminal refuses the claim
    technician.gesture(resident_present=False)
    recorder.claimable = False
    assert technician.submit_pin(PIN).result is PinResult.RESIDENT_PRESENT
    assert technician.phase is Phase.CLOSED
    assert recorder.actions == []


def test_no_pin_pad_without_a_configured_pin(tmp_path: Path, clock: FakeClock) -> None:
    recorder = Recorder()
    technician = TechnicianMode(
        "", PinLockout(tmp_path), 120.0, recorder, recorder.claim, recorder.release, clock
    )
    assert technician.gesture(resident_present=False) is Gate.NO_PIN_CONFIGURED


def test_five_wrong_pins_lock_for_five_minutes_across_a_restart(
    tmp_path: Path, clock: FakeClock, wall: FakeClock
) -> None:
    recorder = Recorder()
    technician = mode(tmp_path, recorder, clock, wall)
    technician.gesture(resident_present=False)
    outcomes = [technician.submit_pin("000000") for _ in range(5)]
    assert [o.tries_left for o in outcomes[:4]] == [4, 3, 2, 1]
    assert outcomes[4].result is PinResult.LOCKED and technician.phase is Phase.CLOSED
    assert [a for a, _ in recorder.actions] == ["pin_wrong"] * 5 + ["locked_out"]
    assert json.loads((tmp_path / LOCK_FILE).read_text()) == {
        "wrong_pins": 0,
        "locked_until": wall.now + LOCKOUT_S,
    }

    restarted = mode(tmp_path, Recorder(), FakeClock(), wall)
    wall.now += LOCKOUT_S - 1
    assert restarted.gesture(resident_present=False) is Gate.LOCKED
    wall.now += 1
    assert restarted.gesture(resident_present=False) is Gate.PIN_PAD
    assert restarted.submit_pin(PIN).result is PinResult.ENTERED


def test_wrong_pins_count_across_a_restart_and_the_right_one_resets_them(
    tmp_path: Path, clock: FakeClock, wall: FakeClock
) -> None:
    first = mode(tmp_path, Recorder(), clock, wall)
    first.gesture(resident_present=False)
    for _ in range(3):
        first.submit_pin("000000")
    second = mode(tmp_path, Recorder(), clock, wall)
    second.gesture(resident_present=False)
    assert second.submit_pin("000000").tries_left == 1
    assert second.submit_pin(PIN).result is PinResult.ENTERED
    assert json.loads((tmp_path / LOCK_FILE).read_text())["wrong_pins"] == 0


def test_a_clock_set_back_never_lengthens_the_lock(tmp_path: Path, wall: FakeClock) -> None:
    lockout = PinLockout(tmp_path, wall)
    for _ in range(5):
        lockout.wrong_pin()
    wall.now -= 86_400
    assert lockout.locked_for() == LOCKOUT_S


def test_an_unreadable_lock_file_locks(
    tmp_path: Path, wall: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / LOCK_FILE).write_text("{", encoding="ascii")
    lockout = PinLockout(tmp_path, wall)
    assert lockout.locked_for() == LOCKOUT_S
    assert "unreadable" in caplog.text


def test_idle_closes_the_pin_pad_and_leaves_the_mode(
    tmp_path: Path, clock: FakeClock, wall: FakeClock
) -> None:
    recorder = Recorder()
    technician = mode(tmp_path, recorder, clock, wall)
    technician.gesture(resident_present=False)
    clock.now += 119
    assert not technician.expire()
    clock.now += 1
    assert technician.expire() and technician.phase is Phase.CLOSED
    assert recorder.actions == []  # a PIN pad left alone is not an entry

    technician.gesture(resident_present=False)
    technician.submit_pin(PIN)
    clock.now += 100
    technician.touch()
    clock.now += 100
    assert not technician.expire()
    clock.now += 20
    assert technician.expire()
    assert recorder.actions[-1] == ("left_idle", "") and not recorder.claimed


def test_the_technician_pin_command_prints_a_config_line_that_loads(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PIN, PIN])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["technician-pin"]) == 0
    printed = capsys.readouterr().out
    table = tomllib.loads(printed)["technician"]
    stored = parse_pin_hash(table["pin_hash"])
    assert pin_matches(PIN, stored) and not pin_matches("246811", stored)


@pytest.mark.parametrize("second", ["246811", "12345"])
def test_the_technician_pin_command_refuses_a_mismatch_or_a_short_pin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], second: str
) -> None:
    first = PIN if len(second) == 6 else second
    answers = iter([first, second])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["technician-pin"]) == 1
    assert capsys.readouterr().out == ""


def test_the_config_refuses_an_unknown_technician_key() -> None:
    data = {
        "terminal": {"id": "XT-1", "secret_file": "/s"},
        "platform": {"base_url": "https://credit.example"},
        "technician": {"pin": PIN},
    }
    with pytest.raises(ConfigError, match=r"^technician: unknown keys \['pin'\]"):
        settings_from_dict(data)
