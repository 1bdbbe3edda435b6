"""Stand-ins the window tests drive screens with."""

from __future__ import annotations

from kiosk.session import PrintKind


class FakeActions:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def print_report(self, kinds: frozenset[PrintKind]) -> None:
        self.calls.append(("print", kinds))

    def end_session(self) -> None:
        self.calls.append(("end", None))

    def touch(self) -> None:
        self.calls.append(("touch", None))

    def choose_enterprise(self, chosen: bool) -> None:
        self.calls.append(("choose_enterprise", chosen))

    def enter_enterprise_code(self, code: str) -> None:
        self.calls.append(("enter_enterprise_code", code))

    def give_consent(self) -> None:
        self.calls.append(("consent", True))

    def refuse_consent(self) -> None:
        self.calls.append(("consent", False))

    def call_staff(self, screen: str) -> None:
        self.calls.append(("staff", screen))

    def set_elder(self, on: bool) -> None:
        self.calls.append(("elder", on))

    def consent_to_face_check(self) -> None:
        self.calls.append(("face_consent", None))

    def refuse_face_check(self) -> None:
        self.calls.append(("face_refused", None))
