"""The OpenAPI 3.1 document of the credit platform API (ARCHITECTURE.md) the sandbox serves."""

from __future__ import annotations

from typing import Any

from kiosk.report_model import SECTIONS

ERROR_CODES = {
    400: "INVALID_REQUEST",
    401: "UNKNOWN_TERMINAL, CLOCK_SKEW, NONCE_REUSED, BAD_SIGNATURE, TOKEN_INVALID, TOKEN_EXPIRED",
    403: "IDENTITY_MISMATCH",
    404: "NOT_FOUND, REPORT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "IDEMPOTENCY_CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED (with Retry-After)",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
EVENT_KINDS = ("query_record", "print_record", "device_fault", "technician_action", "heartbeat")

_SIGNED: dict[str, list[str]] = {"terminalId": [], "timestamp": [], "nonce": [], "signature": []}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): _json(_ref("Error"), f"error: {ERROR_CODES[s]}") for s in statuses}


def _object(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
        **extra,
    }


_STR = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_SECTION_TEXT = "; ".join(f"{s.key} {s.title}: {', '.join(s.columns)}" for s in SECTIONS)

_SCHEMAS: dict[str, Any] = {
    "Error": _object({"code": _STR, "message": _STR}),
    "ResidentSessionRequest": _object(
        {
            "id_number": {"type": "string", "pattern": "^[0-9]{17}[0-9X]$"},
            "name": {"type": "string", "minLength": 1, "maxLength": 15},
            "card_type": {"type": "string", "enum": ["resident", "hk_mo_tw"]},
            "valid_to": {
                "description": "card expiry as YYYY-MM-DD, or long_term (长期)",
                "oneOf": [{"type": "string", "format": "date"}, {"const": "long_term"}],
            },
        }
    ),
    "ResidentSession": _object({"token": _STR, "expires_in": {"type": "integer"}}),
    "Section": _object(
        {
            "key": {"type": "string", "enum": [s.key for s in SECTIONS]},
            "title": _STR,
            "columns": {"type": "array", "items": _STR},
            "rows": {"type": "array", "items": {"type": "array", "items": _STR}},
        },
        description=f"Sections appear in this order with these columns: {_SECTION_TEXT}",
    ),
    "Report": _object(
        {
            "report_no": {"type": "string", "pattern": "^[A-Z0-9]{8,32}$"},
            "verify_code": {"type": "string", "pattern": "^[A-Z0-9]{6,16}$"},
            "issued_at": _TIME,
            "subject": _object(
                {"name": _STR, "id_number_masked": {"type": "string", "pattern": r"^\d{4}\*{10}"}}
            ),
            "sections": {
                "type": "array",
                "items": _ref("Section"),
                "minItems": len(SECTIONS),
                "maxItems": len(SECTIONS),
            },
        }
    ),
    "PrintRecordRequest": _object(
        {
            "kind": {"type": "string", "enum": ["a4", "receipt"]},
            "printed_at": _TIME,
            "pages": {"type": "integer", "minimum": 0},
            "confirmed": {"type": "boolean"},
        }
    ),
    "PrintRecordReceipt": _object(
        {"idempotency_key": _STR, "status": {"type": "string", "enum": ["recorded", "duplicate"]}}
    ),
    "TerminalEvent": _object(
        {
            "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 128},
            "kind": {"type": "string", "enum": list(EVENT_KINDS)},
            "occurred_at": _TIME,
            "payload": {"type": "object"},
        }
    ),
    "TerminalEventsRequest": _object(
        {"events": {"type": "array", "maxItems": 500, "items": _ref("TerminalEvent")}}
    ),
    "TerminalEventsAck": _object(
        {
            "accepted": {"type": "array", "items": _STR},
            "duplicates": {"type": "array", "items": _STR},
            "rejected": {
                "type": "array",
                "items": _object({"idempotency_key": _STR, "code": _STR, "message": _STR}),
            },
        }
    ),
    "Notices": _object(
        {
            "notices": {
                "type": "array",
                "items": _object(
                    {
                        "id": _STR,
                        "title": _STR,
                        "published_on": {"type": "string", "format": "date"},
                        "source": _STR,
                        "summary": _STR,
                    }
                ),
            }
        }
    ),
    "PublicLists": _object(
        {
            "entries": {
                "type": "array",
                "items": _object(
                    {
                        "id": _STR,
                        "list_kind": {"type": "string", "enum": ["red", "black"]},
                        "list_name": _STR,
                        "subject_name": _STR,
                        "credit_code": {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"},
                        "reason": _STR,
                        "authority": _STR,
                        "listed_on": {"type": "string", "format": "date"},
                    }
                ),
            }
        }
    ),
}

_CACHEABLE = {
    "parameters": [{"name": "If-None-Match", "in": "header", "schema": _STR}],
}


def _cacheable(schema: str, summary: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "security": [_SIGNED],
            **_CACHEABLE,
            "responses": {
                "200": _json(_ref(schema), "content, with ETag and Cache-Control"),
                "304": {"description": "not modified since the ETag given"},
                **_errors(401, 429, 500, 503),
            },
        }
    }


_REPORT_NO = {"name": "report_no", "in": "path", "required": True, "schema": _STR}

_PATHS: dict[str, Any] = {
    "/api/v1/resident-sessions": {
        "post": {
            "summary": "Open a resident session with the card evidence",
            "security": [_SIGNED],
            "requestBody": {"required": True, **_json(_ref("ResidentSessionRequest"), "card")},
            "responses": {
                "201": _json(_ref("ResidentSession"), "session opened"),
                **_errors(400, 401, 403, 429, 500, 503),
            },
        }
    },
    "/api/v1/reports/person": {
        "get": {
            "summary": "The resident's public credit information report (a fresh report_no)",
            "security": [{**_SIGNED, "residentToken": []}],
            "responses": {
                "200": _json(_ref("Report"), "the report"),
                **_errors(401, 429, 500, 503),
            },
        }
    },
    "/api/v1/reports/{report_no}/print-records": {
        "post": {
            "summary": "Record what was printed (deduplicated by Idempotency-Key)",
            "security": [_SIGNED],
            "parameters": [
                _REPORT_NO,
                {"name": "Idempotency-Key", "in": "header", "required": True, "schema": _STR},
            ],
            "requestBody": {"required": True, **_json(_ref("PrintRecordRequest"), "print")},
            "responses": {
                "201": _json(_ref("PrintRecordReceipt"), "recorded"),
                "200": _json(_ref("PrintRecordReceipt"), "already recorded under this key"),
                **_errors(400, 401, 404, 409, 429, 500, 503),
            },
        }
    },
    "/api/v1/terminal-events": {
        "post": {
            "summary": "Batched outbox items; each is accepted, a duplicate, or rejected",
            "security": [_SIGNED],
            "requestBody": {"required": True, **_json(_ref("TerminalEventsRequest"), "batch")},
            "responses": {
                "200": _json(_ref("TerminalEventsAck"), "per-item outcome"),
                **_errors(400, 401, 413, 429, 500, 503),
            },
        }
    },
    "/api/v1/public/notices": _cacheable("Notices", "信用新泰 notices"),
    "/api/v1/public/lists": _cacheable("PublicLists", "Red and black list publicity"),
    "/api/v1/verify/{report_no}": {
        "get": {
            "summary": "Verification page the receipt's QR code opens (public, HTML)",
            "security": [],
            "parameters": [
                _REPORT_NO,
                {"name": "code", "in": "query", "required": True, "schema": _STR},
            ],
            "responses": {
                "200": {"description": "the report is genuine", "content": {"text/html": {}}},
                "404": {"description": "no report with this number and code"},
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document (public)",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document"}},
        }
    },
}

_SECURITY_SCHEMES = {
    "terminalId": {"type": "apiKey", "in": "header", "name": "X-Terminal-Id"},
    "timestamp": {"type": "apiKey", "in": "header", "name": "X-Timestamp"},
    "nonce": {"type": "apiKey", "in": "header", "name": "X-Nonce"},
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Signature",
        "description": "hex HMAC-SHA256(terminal secret, METHOD, path, canonical query, "
        "timestamp, nonce, hex sha256(body) joined by newlines); timestamps more than 300 s "
        "off and reused nonces are refused",
    },
    "residentToken": {"type": "http", "scheme": "bearer"},
}


def openapi_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "信用新泰 public credit platform — terminal API (sandbox)",
            "version": "1.0.0",
        },
        "servers": [{"url": server_url}],
        "paths": _PATHS,
        "components": {"schemas": _SCHEMAS, "securitySchemes": _SECURITY_SCHEMES},
        "security": [_SIGNED],
    }
