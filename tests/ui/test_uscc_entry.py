"""The 统一社会信用代码 keyboard and the enterprise path through the window: what a legal
representative presses, what they read, what reaches the terminal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk import uscc
from kiosk.demo import DemoEnvironment
from kiosk.report_model import ENTERPRISE_TITLE
from kiosk.session import Failure, FailureReason, SessionView, State
from tests.clock import FakeClock
from tests.reports import ENTERPRISE_NAME, ENTERPRISE_USCC, make_report
from tests.ui.fakes import FakeActions
from tests.ui.technician_harness import Kiosk, start_kiosk
from tests.ui.test_window import view
from ui.screens.uscc_entry import UsccEntryScreen
from ui.strings import uscc_entry as text
from ui.window import KioskWindow

MIN_TOUCH_PX = 80
CODE = ENTERPRISE_USCC


@pytest.fixture
def screen(qtbot: QtBot) -> UsccEntryScreen:
    widget = UsccEntryScreen()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def actions() -> FakeActions:
    return FakeActions()


def make_window(qtbot: QtBot, actions: FakeActions, size: tuple[int, int]) -> KioskWindow:
    window = KioskWindow(actions, "新泰市政务服务中心", service_window="3号窗口")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    return window


def press(qtbot: QtBot, screen: UsccEntryScreen, typed: str) -> None:
    for char in typed:
        qtbot.mouseClick(screen.keys[char], Qt.MouseButton.LeftButton)


def test_the_keys_are_the_codes_characters_only(screen: UsccEntryScreen) -> None:
    assert "".join(sorted(screen.keys)) == "".join(sorted(uscc.ALPHABET))
    assert not set(screen.keys) & set("IOZSV")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_every_key_is_a_large_touch_target(
    qtbot: QtBot, actions: FakeActions, size: tuple[int, int]
) -> None:
    window = make_window(qtbot, actions, size)
    window.apply(view(State.ENTERPRISE_CODE, enterprise=True))
    entry = window.uscc_entry
    assert window.stack.currentWidget() is entry
    assert (window.width(), window.height()) == size  # the keyboard fits a portrait screen
    for key in [*entry.keys.values(), entry.delete, entry.clear, entry.back, entry.confirm]:
        assert key.width() >= MIN_TOUCH_PX and key.height() >= MIN_TOUCH_PX, key.text()


def test_the_code_shows_in_groups_as_typed(qtbot: QtBot, screen: UsccEntryScreen) -> None:
    assert screen.display.text() == text.PLACEHOLDER
    assert not screen.confirm.isEnabled()
    press(qtbot, screen, CODE[:9])
    assert screen.display.text() == "91 350100 M"
    assert screen.count.text() == "已输入 9 / 18 位"
    qtbot.mouseClick(screen.delete, Qt.MouseButton.LeftButton)
    assert screen.display.text() == "91 350100"
    press(qtbot, screen, CODE[8:])
    assert screen.display.text() == "91 350100 M000100Y4 3"
    assert screen.confirm.isEnabled()
    assert not any(key.isEnabled() for key in screen.keys.values())  # 18 is all there is
    qtbot.mouseClick(screen.clear, Qt.MouseButton.LeftButton)
    assert (screen.code, screen.display.text()) == ("", text.PLACEHOLDER)
    assert not screen.confirm.isEnabled()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (CODE[:17] + "4", "第 18 位校验码不符，请核对营业执照"),
        (CODE[:17] + "X", "第 18 位校验码不符，请核对营业执照"),
        (CODE[:8] + CODE[9] + CODE[8] + CODE[10:], "第 18 位校验码不符，请核对营业执照"),
        ("91A50100M000100Y43", "第 3–8 位是登记机关的行政区划码，应为 6 位数字，请核对营业执照"),
    ],
    ids=["check-character", "another-check-character", "transposed", "division"],
)
def test_a_typo_is_named_and_nothing_is_sent(
    qtbot: QtBot, screen: UsccEntryScreen, typed: str, message: str
) -> None:
    assert typed != CODE
    press(qtbot, screen, typed)
    with qtbot.assertNotEmitted(screen.confirmed):
        qtbot.mouseClick(screen.confirm, Qt.MouseButton.LeftButton)
    assert screen.message.text() == message
    assert screen.message.isVisibleTo(screen)
    assert not screen.count.isVisibleTo(screen)  # the message takes the count's line
    qtbot.mouseClick(screen.delete, Qt.MouseButton.LeftButton)  # correcting clears it
    assert screen.message.text() == ""
    assert screen.count.isVisibleTo(screen)


def test_a_valid_code_is_confirmed(qtbot: QtBot, screen: UsccEntryScreen) -> None:
    press(qtbot, screen, CODE)
    with qtbot.waitSignal(screen.confirmed) as confirmed:
        qtbot.mouseClick(screen.confirm, Qt.MouseButton.LeftButton)
    assert confirmed.args == [CODE]
    assert screen.message.text() == ""


def test_the_window_wires_the_enterprise_path(qtbot: QtBot, actions: FakeActions) -> None:
    window = make_window(qtbot, actions, (1920, 1080))
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    qtbot.mouseClick(window.attract.enterprise, Qt.MouseButton.LeftButton)
    assert actions.calls[-1] == ("choose_enterprise", True)
    assert window.attract.enterprise.text() == text.CHOSEN
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None, enterprise=False))
    assert window.attract.enterprise.text() == text.CHOOSE  # the choice lapsed
    assert not window.attract.enterprise.isChecked()
    assert actions.calls[-1] == ("choose_enterprise", True)  # no signal for what the view says

    window.apply(view(State.ENTERPRISE_CODE, enterprise=True))
    entry = window.uscc_entry
    press(qtbot, entry, CODE)
    assert ("touch", None) in actions.calls  # each key restarts the countdown
    qtbot.mouseClick(entry.confirm, Qt.MouseButton.LeftButton)
    assert actions.calls[-1] == ("enter_enterprise_code", CODE)
    qtbot.mouseClick(entry.back, Qt.MouseButton.LeftButton)
    assert actions.calls[-1] == ("end", None)

    # the next session's keyboard starts empty
    window.apply(SessionView(number=1, state=State.IDLE, deadline=None))
    window.apply(view(State.ENTERPRISE_CODE, enterprise=True))
    assert entry.code == "" and entry.display.text() == text.PLACEHOLDER


def test_the_report_screen_titles_an_enterprise_report(qtbot: QtBot, actions: FakeActions) -> None:
    window = make_window(qtbot, actions, (1920, 1080))
    report = make_report(1, name=ENTERPRISE_NAME, uscc=ENTERPRISE_USCC)
    window.apply(view(State.SHOWING, report=report, holder_name="测试员甲", enterprise=True))
    assert window.report.title.text() == ENTERPRISE_TITLE
    assert f"统一社会信用代码：{ENTERPRISE_USCC}" in window.report.meta.text()
    assert f"企业名称：{ENTERPRISE_NAME}" in window.report.meta.text()
    person = make_report(1)
    window.apply(view(State.SHOWING, report=person, holder_name="测试员甲"))
    assert window.report.title.text() == "个人公共信用信息报告"
    assert "测试员甲" not in window.report.meta.text()  # a person's name shows masked


def test_refusal_names_the_window_to_go_to(qtbot: QtBot, actions: FakeActions) -> None:
    window = make_window(qtbot, actions, (1920, 1080))
    failure = Failure(FailureReason.NOT_LEGAL_REPRESENTATIVE, State.FETCHING)
    window.apply(view(State.FAILED, failure=failure))
    assert window.failure.message.text().startswith("您不是该企业登记的法定代表人")
    assert "3号窗口" in window.failure.detail.text()


# --- the whole path over a started core and the sandbox process --------------------------------


@pytest.fixture
def kiosk(qtbot: QtBot, demo: DemoEnvironment, tmp_path: Path) -> Iterator[Kiosk]:
    assert demo.settings is not None
    settings = replace(
        demo.settings, terminal=replace(demo.settings.terminal, state_dir=tmp_path / "state")
    )
    running = start_kiosk(qtbot, settings, FakeClock(start=1_900_000_000.0))
    running.runtime.terminal.devices.reader.cards.update(  # type: ignore[attr-defined]
        {card.key: card.card for card in demo.cards}
    )
    yield running
    running.stop()


def the_legal_representatives_code(demo: DemoEnvironment) -> tuple[str, str]:
    """The demo card whose caption names its enterprise's code, and that code."""
    ((key, code),) = (
        (card.key, word)
        for card in demo.cards
        for word in card.caption.split()
        if uscc.is_valid(word)
    )
    return key, code


def test_a_legal_representative_types_the_code_and_reads_the_enterprise_report(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    window = kiosk.window
    key, code = the_legal_representatives_code(demo)
    qtbot.mouseClick(window.attract.enterprise, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.view is not None and window.view.enterprise)
    kiosk.runtime.terminal.devices.reader.lay_card(key)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.uscc_entry)
    entry = window.uscc_entry
    typo = code[:17] + next(c for c in uscc.ALPHABET if c != code[17])
    press(qtbot, entry, typo)
    qtbot.mouseClick(entry.confirm, Qt.MouseButton.LeftButton)
    assert entry.message.text() == "第 18 位校验码不符，请核对营业执照"
    assert window.view is not None and window.view.state is State.ENTERPRISE_CODE
    qtbot.mouseClick(entry.delete, Qt.MouseButton.LeftButton)
    press(qtbot, entry, code[17])
    qtbot.mouseClick(entry.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.report, timeout=15_000)
    assert window.report.title.text() == ENTERPRISE_TITLE
    assert code in window.report.meta.text()
    qtbot.mouseClick(window.report.exit, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.exit_confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.attract)
    assert window.attract.enterprise.text() == text.CHOOSE  # used by that card
    (query,) = [i.payload for i in kiosk.runtime.outbox.peek(100) if i.kind == "query_record"]
    assert (query["outcome"], query["uscc"]) == ("shown", code)


def test_someone_else_is_refused_with_the_window_to_go_to(
    qtbot: QtBot, kiosk: Kiosk, demo: DemoEnvironment
) -> None:
    window = kiosk.window
    key, code = the_legal_representatives_code(demo)
    other = next(card.key for card in demo.cards if card.key != key)
    qtbot.mouseClick(window.attract.enterprise, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.view is not None and window.view.enterprise)
    kiosk.runtime.terminal.devices.reader.lay_card(other)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.uscc_entry)
    press(qtbot, window.uscc_entry, code)
    qtbot.mouseClick(window.uscc_entry.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.failure, timeout=15_000)
    assert "您不是该企业登记的法定代表人" in window.failure.message.text()
