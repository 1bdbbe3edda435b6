"""The report's contract: anything that is not a valid report is a MalformedReply, and only
that, naming where the report is wrong and never the resident."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.platform.client import MalformedReply, parse_report
from sandbox import population

ISSUED = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GOOD = json.loads(
    msgspec.json.encode(
        population.build_report(
            population.richest_resident(), "XT20261124000123", "K7M2Q9PX", ISSUED
        )
    )
)
SECTION = {s["key"]: i for i, s in enumerate(GOOD["sections"])}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def good() -> dict[str, Any]:
    return copy.deepcopy(GOOD)


def parse(payload: Any) -> Any:
    return parse_report(json.dumps(payload, ensure_ascii=False).encode())


@given(json_values)
def test_arbitrary_json_raises_only_malformed_reply(value: Any) -> None:
    with pytest.raises(MalformedReply):
        parse(value)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_malformed_reply(body: bytes) -> None:
    with pytest.raises(MalformedReply):
        parse_report(body)


@given(
    st.fixed_dictionaries(
        {
            "report_no": json_values,
            "verify_code": json_values,
            "issued_at": json_values,
            "subject": json_values,
            "sections": json_values,
        }
    )
)
def test_right_fields_with_arbitrary_values_raise_only_malformed_reply(value: Any) -> None:
    with pytest.raises(MalformedReply):
        parse(value)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a payload a value can be replaced (rows are sampled, not all taken)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node[:3]):
            found += _paths(child, (*path, index))
    return found


PATHS = _paths(GOOD)


@settings(max_examples=300)
@given(st.sampled_from(PATHS), json_values)
def test_replacing_any_part_of_a_good_report_is_valid_or_malformed(
    path: tuple[Any, ...], value: Any
) -> None:
    payload = good()
    node = payload
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    with contextlib.suppress(MalformedReply):
        parse(payload)


def _drop(*path: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        node = payload
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return mutate


def _set(value: Any, *path: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        node = payload
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


PENALTY = SECTION["admin_penalty"]
MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "drop report_no": _drop("report_no"),
    "drop subject name": _drop("subject", "name"),
    "drop a section": _drop("sections", PENALTY),
    "drop section rows": _drop("sections", PENALTY, "rows"),
    "drop subject": _drop("subject"),
    "extra field": _set("x", "extra"),
    "wrong column": _set("处罚事由", "sections", PENALTY, "columns", 1),
    "missing column": _drop("sections", PENALTY, "columns", 5),
    "wrong title": _set("行政处罚信息", "sections", PENALTY, "title"),
    "wrong key": _set("penalty", "sections", PENALTY, "key"),
    "short row": _drop("sections", PENALTY, "rows", 0, 5),
    "long row": lambda p: p["sections"][PENALTY]["rows"][0].append("多余"),
    "row not a list": _set("新综执罚决字", "sections", PENALTY, "rows", 0),
    "integer cell": _set(500, "sections", PENALTY, "rows", 0, 3),
    "null cell": _set(None, "sections", PENALTY, "rows", 0, 3),
    "empty cell": _set("", "sections", PENALTY, "rows", 0, 3),
    "huge cell": _set("罚" * 501, "sections", PENALTY, "rows", 0, 3),
    "bad date": _set("2026-13-01T10:00:00+08:00", "issued_at"),
    "date without zone": _set("2026-11-24T10:30:00", "issued_at"),
    "date not a string": _set(1764000000, "issued_at"),
    "lower-case report_no": _set("xt20261124000123", "report_no"),
    "verify code too short": _set("K7M2", "verify_code"),
    "unmasked ID number": _set("370982197108236592", "subject", "id_number_masked"),
    "name in a column": _set("刘德胜", "sections", PENALTY, "columns", 0),
    "name as the title": _set("刘德胜", "sections", PENALTY, "title"),
    "too many rows": _set([["项目", "内容"]] * 5001, "sections", 0, "rows"),
    "sections out of order": lambda p: p["sections"].reverse(),
    "sections not a list": _set({}, "sections"),
    "subject not an object": _set("刘德胜", "subject"),
}


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_mutated_good_report_is_malformed(mutation: Callable[[dict[str, Any]], None]) -> None:
    payload = good()
    mutation(payload)
    with pytest.raises(MalformedReply) as error:
        parse(payload)
    assert error.value.code == "MALFORMED_REPLY"
    assert "刘德胜" not in str(error.value)


def test_the_message_names_where_the_report_is_wrong() -> None:
    payload = good()
    payload["sections"][PENALTY]["rows"][0][3] = ""
    with pytest.raises(MalformedReply) as error:
        parse(payload)
    assert f"$.sections[{PENALTY}].rows[0][3]" in error.value.message
    assert error.value.message.startswith("reports/person: ")


@pytest.mark.parametrize("resident", population.residents(), ids=lambda r: r.key)
def test_round_trip_through_json(resident: population.Resident) -> None:
    report = population.build_report(resident, "XT20261124000123", "K7M2Q9PX", ISSUED)
    assert parse_report(msgspec.json.encode(report)) == report


def test_good_payload_parses() -> None:
    report = parse(good())
    assert "刘德胜" not in repr(report)
    assert report.report_no == "XT20261124000123"
    assert report.count("admin_penalty") == len(GOOD["sections"][PENALTY]["rows"])
