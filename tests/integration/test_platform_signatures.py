"""Every way a request's signature can be wrong, and a replay, against the sandbox as its own
process: each refused with its code, and the client's error naming it for the technician."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest
import requests

from kiosk import demo
from kiosk.demo import SandboxProcess
from kiosk.platform import signing
from kiosk.platform.client import PlatformClient, TerminalAuthFailed
from kiosk.platform.signing import MAX_SKEW_S, signed_headers
from sandbox import population

TERMINAL = "XT-SIGN-001"
SECRET = secrets.token_bytes(32)
NOTICES = "/api/v1/public/notices"
SESSIONS = "/api/v1/resident-sessions"
EVIDENCE = b'{"id_number":"x","name":"y","card_type":"resident","valid_to":"long_term"}'


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcess]:
    folder = tmp_path_factory.mktemp("sandbox")
    secret_file = folder / "terminal.secret"
    secret_file.write_text(SECRET.hex(), encoding="ascii")
    process = demo.start_sandbox_process(folder, TERMINAL, secret_file, folder / "sandbox.log")
    yield process
    process.stop()


def send(
    sandbox: SandboxProcess,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> tuple[int, str]:
    with requests.request(
        method, sandbox.url + path, data=body or None, headers=headers, timeout=5
    ) as response:
        return response.status_code, response.json()["code"]


def signed(
    method: str = "GET", path: str = NOTICES, body: bytes = b"", **kw: float
) -> dict[str, str]:
    return signed_headers(TERMINAL, SECRET, method, path, [], body, now=kw.get("now"))


def test_a_correct_signature_is_accepted(sandbox: SandboxProcess) -> None:
    with requests.get(sandbox.url + NOTICES, headers=signed(), timeout=5) as response:
        assert response.status_code == 200


def test_a_signature_made_with_another_secret_is_refused(sandbox: SandboxProcess) -> None:
    headers = signed_headers(TERMINAL, secrets.token_bytes(32), "GET", NOTICES, [], b"")
    assert send(sandbox, "GET", NOTICES, headers) == (401, "BAD_SIGNATURE")


def test_a_tampered_signature_is_refused(sandbox: SandboxProcess) -> None:
    headers = signed()
    flipped = "0" if headers["X-Signature"][0] != "0" else "1"
    headers["X-Signature"] = flipped + headers["X-Signature"][1:]
    assert send(sandbox, "GET", NOTICES, headers) == (401, "BAD_SIGNATURE")


@pytest.mark.parametrize("missing", ["X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Signature"])
def test_a_request_missing_an_authentication_header_is_refused(
    sandbox: SandboxProcess, missing: str
) -> None:
    headers = signed()
    del headers[missing]
    assert send(sandbox, "GET", NOTICES, headers) == (401, "BAD_SIGNATURE")


def test_a_body_other_than_the_one_signed_is_refused(sandbox: SandboxProcess) -> None:
    """The signature covers the body's SHA-256: a body changed on the way is caught."""
    headers = signed("POST", SESSIONS, EVIDENCE)
    headers["Content-Type"] = "application/json"
    tampered = EVIDENCE.replace(b'"y"', b'"z"')
    assert send(sandbox, "POST", SESSIONS, headers, tampered) == (401, "BAD_SIGNATURE")


@pytest.mark.parametrize("offset", [-(MAX_SKEW_S + 5), MAX_SKEW_S + 5], ids=["stale", "future"])
def test_a_timestamp_beyond_the_skew_window_is_refused(
    sandbox: SandboxProcess, offset: int
) -> None:
    headers = signed(now=time.time() + offset)
    assert send(sandbox, "GET", NOTICES, headers) == (401, "CLOCK_SKEW")


def test_a_timestamp_within_the_window_is_accepted(sandbox: SandboxProcess) -> None:
    with requests.get(
        sandbox.url + NOTICES, headers=signed(now=time.time() - 250), timeout=5
    ) as response:
        assert response.status_code == 200


def test_a_replayed_request_is_refused(sandbox: SandboxProcess) -> None:
    headers = signed()
    with requests.get(sandbox.url + NOTICES, headers=headers, timeout=5) as first:
        assert first.status_code == 200
    assert send(sandbox, "GET", NOTICES, headers) == (401, "NONCE_REUSED")


# --- what the client makes of them ---


def client(sandbox: SandboxProcess, secret: bytes = SECRET, **kw: object) -> PlatformClient:
    return PlatformClient(sandbox.url, TERMINAL, secret, retries=0, **kw)  # type: ignore[arg-type]


def refusal(platform: PlatformClient) -> TerminalAuthFailed:
    with platform, pytest.raises(TerminalAuthFailed) as error:
        platform.open_resident_session(population.richest_resident().card())
    assert platform.link_fault is error.value
    return error.value


def test_the_client_names_a_wrong_secret(sandbox: SandboxProcess) -> None:
    error = refusal(client(sandbox, secrets.token_bytes(32)))
    assert error.code == "BAD_SIGNATURE"
    assert error.technician_text.startswith("平台拒绝了本终端的签名")
    assert "secret file" in error.hint


def test_the_client_names_a_clock_the_platform_refuses(sandbox: SandboxProcess) -> None:
    """A terminal clock 400 s ahead: the sandbox refuses it (over 300 s)."""
    error = refusal(client(sandbox, clock=lambda: time.time() + 400))
    assert error.code == "CLOCK_SKEW"
    assert error.technician_text == "终端时钟偏差过大，平台拒绝请求"
    assert "NTP" in error.hint


def test_the_client_names_a_replay(
    sandbox: SandboxProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client whose nonces repeat (as a replaying proxy's would)."""
    nonce = secrets.token_hex(16)
    monkeypatch.setattr(signing.secrets, "token_hex", lambda size: nonce)
    with client(sandbox) as platform:
        platform.public_notices()
        with pytest.raises(TerminalAuthFailed) as error:
            platform.public_notices()
    assert error.value.code == "NONCE_REUSED"
    assert error.value.technician_text == "平台认为本终端的请求被重放"
