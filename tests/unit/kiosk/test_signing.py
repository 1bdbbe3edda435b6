"""Request signing: the canonical query, a known-answer vector, and tamper detection."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from kiosk.platform.signing import MAX_SKEW_S, canonical_query, signature, signed_headers

SECRET = b"terminal-secret-for-tests"
REQUEST = {
    "method": "GET",
    "path": "/api/v1/verify/XT20261124000123",
    "query": [("code", "K7M2Q9PX"), ("lang", "zh CN")],
    "timestamp": "1764000000",
    "nonce": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "body": b"",
}


def test_canonical_query_sorts_by_key_then_value() -> None:
    assert canonical_query([("b", "2"), ("a", "9"), ("a", "1")]) == "a=1&a=9&b=2"


def test_canonical_query_percent_encodes_all_but_unreserved() -> None:
    assert canonical_query([("q", "a b/c?d&e=f")]) == "q=a%20b%2Fc%3Fd%26e%3Df"
    assert canonical_query([("k", "-_.~")]) == "k=-_.~"
    assert canonical_query([("地区", "新泰")]) == "%E5%9C%B0%E5%8C%BA=%E6%96%B0%E6%B3%B0"
    assert canonical_query([("plus", "+")]) == "plus=%2B"


def test_canonical_query_of_nothing_is_empty() -> None:
    assert canonical_query([]) == ""


def test_known_answer_matches_hmac_computed_by_hand() -> None:
    body_hash = hashlib.sha256(b"").hexdigest()
    message = (
        "GET\n/api/v1/verify/XT20261124000123\ncode=K7M2Q9PX&lang=zh%20CN\n"
        f"1764000000\n0f1e2d3c4b5a69788796a5b4c3d2e1f0\n{body_hash}"
    )
    expected = hmac.new(SECRET, message.encode(), hashlib.sha256).hexdigest()
    assert signature(SECRET, **REQUEST) == expected  # type: ignore[arg-type]
    # The same vector computed with `openssl dgst -sha256 -hmac`:
    assert expected == "d2cd551391520afc2878994dc69d6edcbedbda296a41d1c28d2dcf1364fcfe48"


def test_method_is_upper_cased() -> None:
    lower = dict(REQUEST, method="get")
    assert signature(SECRET, **lower) == signature(SECRET, **REQUEST)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field, tampered",
    [
        ("method", "POST"),
        ("path", "/api/v1/verify/XT20261124000124"),
        ("query", [("code", "K7M2Q9PY"), ("lang", "zh CN")]),
        ("query", [("code", "K7M2Q9PX")]),
        ("timestamp", "1764000001"),
        ("nonce", "0f1e2d3c4b5a69788796a5b4c3d2e1f1"),
        ("body", b"{}"),
    ],
)
def test_tampering_with_any_line_changes_the_signature(field: str, tampered: object) -> None:
    original = signature(SECRET, **REQUEST)  # type: ignore[arg-type]
    changed = dict(REQUEST, **{field: tampered})
    assert signature(SECRET, **changed) != original  # type: ignore[arg-type]


def test_another_secret_gives_another_signature() -> None:
    one = signature(SECRET, **REQUEST)  # type: ignore[arg-type]
    assert signature(SECRET + b"x", **REQUEST) != one  # type: ignore[arg-type]


def test_signed_headers_carry_a_verifiable_signature_and_fresh_nonces() -> None:
    first = signed_headers("XT-1", SECRET, "POST", "/api/v1/terminal-events", [], b"{}", now=1e9)
    second = signed_headers("XT-1", SECRET, "POST", "/api/v1/terminal-events", [], b"{}", now=1e9)
    assert set(first) == {"X-Terminal-Id", "X-Timestamp", "X-Nonce", "X-Signature"}
    assert first["X-Terminal-Id"] == "XT-1"
    assert first["X-Timestamp"] == "1000000000"
    assert first["X-Nonce"] != second["X-Nonce"]
    assert first["X-Signature"] == signature(
        SECRET,
        "POST",
        "/api/v1/terminal-events",
        [],
        first["X-Timestamp"],
        first["X-Nonce"],
        b"{}",
    )


def test_skew_window_is_five_minutes() -> None:
    assert MAX_SKEW_S == 300
