"""The sandbox's synthetic population of 新泰市: valid cards, stable, and realistic records."""

from __future__ import annotations

import datetime as dt
import re

import msgspec
import pytest

from devices.idcard.card import ChecksumMismatch, GarbledCard, IdentityCard
from devices.idcard.idnumber import is_valid_id_number, mask_id_number
from devices.idcard.text_block import encode_text_block, parse_text_block
from kiosk.contract import SECTION_BY_KEY, SECTIONS, CreditReport
from sandbox import population
from sandbox.population import Resident
from sandbox.records import REFERENCE_DATE
from tests.cards import make_card

ISSUED = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
EVERY = population.residents()
CASE_NUMBER = re.compile(r"（20[0-9]{2}）鲁0982执[0-9]+号")
DATE = re.compile(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}")


def report_of(resident: Resident | IdentityCard) -> CreditReport:
    return population.build_report(resident, "XT20261124000123", "K7M2Q9PX", ISSUED)


def basic_rows(report: CreditReport) -> dict[str, str]:
    return {row[0]: row[1] for row in report.section("basic").rows}


def test_at_least_32_residents_with_unique_keys_and_numbers() -> None:
    assert len(EVERY) >= 32
    assert len({r.key for r in EVERY}) == len(EVERY)
    assert len({r.id_number for r in EVERY}) == len(EVERY)
    assert len({r.name for r in EVERY}) == len(EVERY)
    assert all(re.fullmatch(r"r[0-9]{2}", r.key) for r in EVERY)


@pytest.mark.parametrize("resident", EVERY, ids=lambda r: r.key)
def test_id_number_is_valid_and_agrees_with_the_card(resident: Resident) -> None:
    number = resident.id_number
    assert number.startswith("370982")
    assert is_valid_id_number(number)
    assert number[6:14] == resident.birth_date.strftime("%Y%m%d")
    assert (int(number[16]) % 2 == 1) == (resident.sex == "男")


@pytest.mark.parametrize("resident", EVERY, ids=lambda r: r.key)
def test_card_round_trips_through_the_text_block(resident: Resident) -> None:
    card = resident.card()
    assert parse_text_block(encode_text_block(card)) == card
    assert card.authority == "新泰市公安局"
    assert len(card.address) <= 35
    assert card.address.startswith("山东省新泰市" + resident.town)
    assert card.valid_to is None or card.valid_from < card.valid_to


def test_population_is_the_same_every_time() -> None:
    assert population.generate() == population.generate() == EVERY
    assert population.generate(population.SEED + 1) != EVERY


def test_names_include_short_long_and_extension_a_characters() -> None:
    lengths = {len(r.name) for r in EVERY}
    assert {2, 3, 4} <= lengths
    assert any("\u4dae" in r.name for r in EVERY)  # 䶮, CJK extension A


def test_validity_includes_long_term_and_expired_cards() -> None:
    assert any(r.valid_to is None for r in EVERY)
    expired = [r for r in EVERY if r.card().is_expired(REFERENCE_DATE)]
    assert len(expired) >= 2
    assert any(r.valid_to is not None and r.valid_to > REFERENCE_DATE for r in EVERY)


def test_records_span_from_none_to_more_than_200_in_every_section() -> None:
    assert any(r.record_count == 0 for r in EVERY)
    richest = population.richest_resident()
    assert richest.record_count >= 200
    assert {key for key, _ in richest.records} == {s.key for s in SECTIONS} - {"basic"}


def test_black_list_has_court_judgement_debtors() -> None:
    richest = population.richest_resident()
    debtors = [row for row in richest.rows("black_list") if row[0] == "失信被执行人"]
    assert debtors
    assert all(CASE_NUMBER.fullmatch(row[1]) and row[2] == "新泰市人民法院" for row in debtors)
    assert any(row[7] == "有效" and row[8] == "—" for row in debtors)
    removed = [row for row in richest.rows("black_list") if row[7] == "已移出"]
    assert all(DATE.fullmatch(row[8]) and row[8] >= row[6] for row in removed)


def test_red_list_honours_are_present() -> None:
    names = {row[0] for r in EVERY for row in r.rows("red_list")}
    assert "新泰市守信激励对象" in names
    assert len(names) >= 3


def test_records_look_like_the_platform() -> None:
    richest = population.richest_resident()
    for key, row in richest.records:
        assert len(row) == len(SECTION_BY_KEY[key].columns)
        assert all(isinstance(cell, str) and 0 < len(cell) <= 500 for cell in row)
    for row in richest.rows("admin_penalty"):
        assert re.fullmatch(r".+〔20[0-9]{2}〕第[0-9]+号", row[0])
        assert DATE.fullmatch(row[7]) and row[7] <= REFERENCE_DATE.isoformat()
        assert row[8].startswith(("新泰市", "泰安市", "国家税务总局新泰市"))
        assert DATE.fullmatch(row[9]) and row[9] > row[7]  # 公示截止期 after the decision
        assert row[6] == "—" if row[4] == "警告" else float(row[6]) > 0  # 罚款金额(万元)
    for row in richest.rows("admin_license"):
        assert DATE.fullmatch(row[5]) and row[6] == row[5]
        assert row[7] == "长期" or DATE.fullmatch(row[7])
    dates = [row[7] for row in richest.rows("admin_penalty")]
    assert dates == sorted(dates, reverse=True)


def test_report_basic_information_is_masked_and_town_level() -> None:
    resident = population.by_key("r02")
    report = report_of(resident)
    basic = basic_rows(report)
    assert basic["姓名"] == resident.name
    assert basic["证件号码"] == mask_id_number(resident.id_number)
    assert basic["户籍所在地"] == f"山东省泰安市新泰市{resident.town}"
    assert {"性别", "民族", "出生日期"} <= set(basic)
    assert report.subject_id_masked == mask_id_number(resident.id_number)
    text = msgspec.json.encode(report).decode()
    assert resident.id_number not in text
    assert resident.address not in text


@pytest.mark.parametrize("resident", EVERY, ids=lambda r: r.key)
def test_every_report_passes_the_schema(resident: Resident) -> None:
    report = report_of(resident)
    assert msgspec.json.decode(msgspec.json.encode(report), type=CreditReport) == report
    assert report == report_of(resident.card())


def test_clean_resident_has_only_basic_information() -> None:
    report = report_of(population.by_key("r01"))
    assert report.count("basic") > 0
    assert all(report.count(s.key) == 0 for s in SECTIONS if s.key != "basic")


def test_someone_outside_the_population_gets_a_stable_clean_report() -> None:
    card = make_card()
    assert population.find(card.id_number) is None
    report = report_of(card)
    assert report == report_of(card)
    assert all(report.count(s.key) == 0 for s in SECTIONS if s.key != "basic")
    assert basic_rows(report)["户籍所在地"] == "山东省泰安市新泰市青云街道"


def test_find_and_by_key() -> None:
    resident = population.by_key("r03")
    assert population.find(resident.id_number) is resident
    assert population.find("370982199001011234") is None
    with pytest.raises(KeyError):
        population.by_key("r99")


def test_demo_residents_show_what_they_promise() -> None:
    demo = dict((r.key, r) for r, _ in population.demo_residents())
    assert list(demo) == list(population.DEMO_KEYS)
    assert demo["r01"].record_count == 0
    assert report_of(demo["r02"]).on_black_list
    assert report_of(demo["r03"]).on_red_list and not report_of(demo["r03"]).on_black_list
    assert demo["r04"].card().is_expired(REFERENCE_DATE)
    assert "\u4dae" in demo["r05"].name


def test_refused_cards() -> None:
    with pytest.raises(ChecksumMismatch):
        parse_text_block(population.bad_checksum_block())
    with pytest.raises(GarbledCard):
        parse_text_block(population.garbled_block())


def test_repr_hides_personal_data() -> None:
    resident = population.richest_resident()
    assert resident.name not in repr(resident)
    assert resident.id_number not in repr(resident)
