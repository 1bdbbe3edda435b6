"""Scripted faults for simulated devices, written in config as ``"kind_on_op:N"``.

``"paper_out_after_job:2"`` means: from the 3rd job on, the paper is out.
``"timeout_on_read:1"`` means: the 1st read times out.
"""

from __future__ import annotations

import re

_ENTRY = re.compile(r"(?P<kind>[a-z_]+?)_(?P<rel>on|after)_(?P<op>[a-z]+):(?P<n>[0-9]+)")


class FaultScript:
    def __init__(self, entries: list[str]) -> None:
        self._rules: list[tuple[str, str, str, int]] = []
        for entry in entries:
            match = _ENTRY.fullmatch(entry)
            if match is None:
                raise ValueError(f"fault entry {entry!r} is not of the form kind_on_op:N")
            self._rules.append((match["kind"], match["rel"], match["op"], int(match["n"])))

    def due(self, op: str, count: int) -> str | None:
        """The kind of fault that applies to the ``count``-th (1-based) call of ``op``, if any."""
        for kind, rel, rule_op, n in self._rules:
            if rule_op != op:
                continue
            if (rel == "on" and count == n) or (rel == "after" and count > n):
                return kind
        return None
