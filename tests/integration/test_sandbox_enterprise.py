"""Enterprise reports between the client and the sandbox platform: only the registered legal
representative gets one; an unknown or malformed code is refused by the platform too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from kiosk import uscc
from kiosk.platform.client import (
    EnterpriseNotFound,
    NotLegalRepresentative,
    PlatformClient,
    PlatformRejected,
    SessionExpired,
)
from kiosk.platform.signing import signed_headers
from sandbox import population
from sandbox.server import Sandbox, start_sandbox

TERMINAL = "XT-TEST-ENT"
SECRET = bytes.fromhex("a1" * 32)
FIRM = population.represented_by("r07")[0]
REPRESENTATIVE = population.by_key("r07")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox({TERMINAL: SECRET}) as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PlatformClient]:
    with PlatformClient(sandbox.url, TERMINAL, SECRET, read_timeout=5, retries=0) as platform:
        yield platform


def post(sandbox: Sandbox, token: str, body: object) -> requests.Response:
    """A signed POST sent by hand, to see what the sandbox says to what the client never sends."""
    data = json.dumps(body).encode()
    path = "/api/v1/enterprise-reports"
    headers = signed_headers(TERMINAL, SECRET, "POST", path, [], data)
    headers["Authorization"] = f"Bearer {token}"
    with requests.post(sandbox.url + path, data=data, headers=headers, timeout=5) as response:
        response.content  # noqa: B018 - read it before the connection closes
        return response


def test_every_enterprise_has_a_valid_code_and_a_resident_representative() -> None:
    firms = population.enterprises()
    assert len({firm.uscc for firm in firms}) == len(firms) >= 3
    keys = {resident.key for resident in population.residents()}
    for firm in firms:
        assert uscc.is_valid(firm.uscc), firm.uscc
        assert firm.representative in keys
        assert firm.records, firm.name
    demo_keys = set(population.DEMO_KEYS)
    assert any(firm.representative in demo_keys for firm in firms)


def test_the_legal_representative_gets_the_enterprise_report(client: PlatformClient) -> None:
    token = client.open_resident_session(REPRESENTATIVE.card())
    report = client.fetch_enterprise_report(token, FIRM.uscc)
    assert report.is_enterprise
    assert (report.subject.name, report.subject.uscc) == (FIRM.name, FIRM.uscc)
    assert dict(report.section("basic").rows)["统一社会信用代码"] == FIRM.uscc
    for key, row in FIRM.records:
        assert row in report.section(key).rows
    # 纳税信用 A 级 and the red list: the featured firm is a compliant one
    assert {row[1] for row in report.section("tax_credit").rows} == {"A"}
    assert report.on_red_list
    # the same session still has the person's own report
    assert not client.fetch_report(token).is_enterprise


def test_someone_else_is_refused(client: PlatformClient) -> None:
    token = client.open_resident_session(population.by_key("r01").card())
    with pytest.raises(NotLegalRepresentative) as refused:
        client.fetch_enterprise_report(token, FIRM.uscc)
    assert refused.value.code == "NOT_LEGAL_REPRESENTATIVE"


def test_an_unknown_code_is_not_found(client: PlatformClient) -> None:
    first17 = FIRM.uscc[:16] + ("0" if FIRM.uscc[16] != "0" else "1")
    unknown = first17 + uscc.check_character(first17)
    assert population.find_enterprise(unknown) is None
    token = client.open_resident_session(REPRESENTATIVE.card())
    with pytest.raises(EnterpriseNotFound):
        client.fetch_enterprise_report(token, unknown)


def test_a_wrong_check_character_is_refused_by_the_platform(client: PlatformClient) -> None:
    wrong = FIRM.uscc[:17] + next(c for c in uscc.ALPHABET if c != FIRM.uscc[17])
    token = client.open_resident_session(REPRESENTATIVE.card())
    with pytest.raises(PlatformRejected) as refused:
        client.fetch_enterprise_report(token, wrong)
    assert refused.value.code == "INVALID_USCC"


@pytest.mark.parametrize(
    "body",
    [
        {"uscc": FIRM.uscc.lower()},
        {"uscc": FIRM.uscc[:17]},
        {"uscc": FIRM.uscc[:9] + "O" + FIRM.uscc[10:]},
        {"code": FIRM.uscc},
        {"uscc": FIRM.uscc, "name": "x"},
    ],
)
def test_malformed_requests_are_invalid(
    sandbox: Sandbox, client: PlatformClient, body: object
) -> None:
    token = client.open_resident_session(REPRESENTATIVE.card())
    response = post(sandbox, token, body)
    assert (response.status_code, response.json()["code"]) == (400, "INVALID_REQUEST")


def test_a_session_token_is_needed(sandbox: Sandbox, client: PlatformClient) -> None:
    with pytest.raises(SessionExpired):
        client.fetch_enterprise_report("not-a-token", FIRM.uscc)
    assert post(sandbox, "", {"uscc": FIRM.uscc}).status_code == 401


def test_the_verify_page_names_the_enterprise(sandbox: Sandbox, client: PlatformClient) -> None:
    token = client.open_resident_session(REPRESENTATIVE.card())
    report = client.fetch_enterprise_report(token, FIRM.uscc)
    url = f"{sandbox.url}/api/v1/verify/{report.report_no}?code={report.verify_code}"
    with requests.get(url, timeout=5) as page:
        assert page.status_code == 200
        assert FIRM.name in page.text and FIRM.uscc in page.text
        assert REPRESENTATIVE.name not in page.text
