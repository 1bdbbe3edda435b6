"""The pieces of an objection that need no platform: the phone's checks and masks, its seal,
and the guidance the kiosk words from the platform's rule (and nothing else)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.contract import ObjectionReason, RepairRule
from kiosk.documents.objection_prints import ASK_THE_WINDOW, NO_RULE, guidance_blocks
from kiosk.objections import NotObjectable, RecordRef, RepairOutcome, objection_request
from kiosk.platform.client import MalformedReply, parse_report
from kiosk.platform.sealing import SealBroken, seal, unseal
from kiosk.privacy import is_mobile_number, mask_phone
from tests.reports import make_report

digits = st.text(alphabet="0123456789", min_size=0, max_size=14)


@given(digits)
def test_mobile_numbers_are_eleven_digits_1_then_3_to_9(text: str) -> None:
    expected = len(text) == 11 and text[0] == "1" and text[1] in "3456789"
    assert is_mobile_number(text) is expected


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_a_masked_phone_keeps_only_the_first_three_and_last_four(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.text(min_size=1, max_size=40))
def test_a_sealed_phone_opens_only_with_its_secret_and_key(phone: str, key: str) -> None:
    sealed = seal(b"terminal-secret", key, phone)
    assert phone not in sealed
    assert unseal(b"terminal-secret", key, sealed) == phone
    with pytest.raises(SealBroken):
        unseal(b"another-secret", key, sealed)
    with pytest.raises(SealBroken):
        unseal(b"terminal-secret", key + "x", sealed)


def test_requests_refuse_basic_info_rows_out_of_range_and_bad_phones() -> None:
    report = make_report(1)
    reason = ObjectionReason("other", "其他")
    for record, phone in (
        (RecordRef("basic", 0), ""),
        (RecordRef("admin_penalty", 1), ""),
        (RecordRef("admin_penalty", 0), "12345678901"),
    ):
        with pytest.raises(NotObjectable):
            objection_request(report, record, reason, phone)
    request = objection_request(report, RecordRef("admin_penalty", 0), reason, "")
    assert request.phone is None and request.idempotency_key.startswith("objection-")


def _lines(rule: RepairRule | None) -> list[str]:
    outcome = RepairOutcome("XT20261124000001", "行政处罚 第1条：x", rule)
    return [line for block in guidance_blocks(outcome) for line in (block.heading, *block.lines)]


def test_guidance_says_ask_the_window_where_the_platform_sent_nothing() -> None:
    assert NO_RULE in _lines(None)
    bare = _lines(RepairRule("repairable"))
    assert bare.count(ASK_THE_WINDOW) == 2  # materials and where
    not_yet = _lines(RepairRule("not_yet", repairable_from=dt.date(2026, 5, 10)))
    assert "暂不能申请信用修复，2026年5月10日起可以申请" in not_yet
    court = _lines(RepairRule("not_repairable", reason="由法院移出。", where=("执行法院：甲",)))
    assert "需携带材料" not in court and "执行法院：甲" in court


def test_a_report_marking_a_row_it_lacks_is_malformed() -> None:
    body = msgspec.to_builtins(make_report(1))
    body["sections"][2]["objections"] = [0]
    assert parse_report(msgspec.json.encode(body)).sections[2].objections == (0,)
    body["sections"][2]["objections"] = [1]
    with pytest.raises(MalformedReply, match="objections"):
        parse_report(msgspec.json.encode(body))
