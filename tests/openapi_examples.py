"""The examples of an OpenAPI document, each with the contract Struct its schema names."""

from __future__ import annotations

from typing import Any

import msgspec

from kiosk import contract

Example = tuple[str, type[msgspec.Struct], Any]
"""(where in the document, the Struct, the example as JSON values)."""


def json_bodies(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, media object) of every JSON request and reply body in the paths."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bodies = {"request": operation.get("requestBody", {})}
            bodies |= {status: reply for status, reply in operation["responses"].items()}
            for name, body in bodies.items():
                media = body.get("content", {}).get("application/json")
                if media is not None:
                    found.append((f"{method.upper()} {path} {name}", media))
    return found


def examples(document: dict[str, Any]) -> list[Example]:
    found = []
    for where, media in json_bodies(document):
        name = media["schema"]["$ref"].rsplit("/", 1)[-1]
        found.append((where, getattr(contract, name), media["example"]))
    return found
