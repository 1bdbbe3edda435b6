import time

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk import failures
from kiosk.contract import ListEntry, Notice
from kiosk.platform.watch import PlatformStatus
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from tests.reports import make_report
from tests.ui.fakes import FakeActions
from ui.strings import attract as attract_text
from ui.strings import done as done_text
from ui.strings import failure as failure_text
from ui.strings import flow
from ui.window import KioskWindow

NAME = "测试员甲"


class FakeDemo:
    def __init__(self) -> None:
        self.laid: list[str] = []

    def lay_card(self, label: str) -> None:
        self.laid.append(label)

    def remove_card(self) -> None:
        self.laid.append("removed")


def view(state: State, **kw: object) -> SessionView:
    return SessionView(number=1, state=state, deadline=time.monotonic() + 30, **kw)  # type: ignore[arg-type]


@pytest.fixture
def actions() -> FakeActions:
    return FakeActions()


@pytest.fixture
def window(qtbot: QtBot, actions: FakeActions) -> KioskWindow:
    w = KioskWindow(actions, "新泰市政务服务中心")
    qtbot.addWidget(w)
    w.resize(1920, 1080)
    w.show()
    return w


def visible_texts(widget: QWidget) -> list[str]:
    QApplication.processEvents()  # layouts show new children through a queued call
    texts = [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    texts += [b.text() for b in widget.findChildren(QAbstractButton) if b.isVisibleTo(widget)]
    return texts


def test_idle_shows_the_attract_screen_without_countdown(window: KioskWindow) -> None:
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    assert window.stack.currentWidget() is window.attract
    assert window.countdown.text() == ""
    assert "新泰市政务服务中心" in visible_texts(window.attract)


@pytest.mark.parametrize(
    "state", [State.READING, State.AUTHENTICATING, State.FETCHING, State.PRINTING]
)
def test_while_the_machine_works_no_countdown_is_shown(window: KioskWindow, state: State) -> None:
    window.apply(view(state))
    assert window.stack.currentWidget() is window.progress
    assert window.progress.busy.isVisibleTo(window)
    assert window.countdown.text() == ""
    assert not any("秒后" in text for text in visible_texts(window))
    if state is State.READING:
        assert window.progress.message.text() == "正在读取，请勿移动身份证"


def test_report_pages_and_print_choice(window: KioskWindow, actions: FakeActions) -> None:
    report = make_report(6)
    window.apply(view(State.SHOWING, report=report, holder_name=NAME))
    assert window.stack.currentWidget() is window.report
    texts = " ".join(visible_texts(window.report))
    assert report.report_no in texts and "测**甲" in texts and NAME not in texts
    assert window.report.page_label.text() == "报告结论"
    assert not window.report.previous.isEnabled()
    window.report.next.click()
    assert window.report.page_label.text() == "失信惩戒/黑名单 第 1/1 页"
    assert ("touch", None) in actions.calls
    window.report.open_section("admin_penalty")
    assert window.report.page_label.text() == "行政处罚 第 1/1 页"
    window.report.print.click()
    assert window.stack.currentWidget() is window.print_choice
    window.print_choice.cancel.click()
    assert window.stack.currentWidget() is window.report
    window.report.print.click()
    window.print_choice.choices[PrintKind.A4].click()
    assert ("print", frozenset({PrintKind.A4})) in actions.calls
    window.print_choice.both.click()
    assert ("print", frozenset(PrintKind)) in actions.calls


def test_a_touch_that_republishes_keeps_the_print_choice(window: KioskWindow) -> None:
    report = make_report()
    window.apply(view(State.SHOWING, report=report, holder_name=NAME))
    window.report.print.click()
    window.apply(view(State.SHOWING, report=report, holder_name=NAME))
    assert window.stack.currentWidget() is window.print_choice


def test_done_says_take_card_and_prints(window: KioskWindow, actions: FakeActions) -> None:
    window.apply(view(State.DONE))
    assert window.stack.currentWidget() is window.done
    assert done_text.TAKE_ITEMS == "请取走身份证和打印件"
    assert done_text.TAKE_ITEMS in visible_texts(window.done)
    window.done.home.click()
    assert actions.calls[-1] == ("end", None)


@pytest.mark.parametrize("reason", list(FailureReason))
def test_every_failure_names_the_window_and_a_code_a_clerk_looks_up(
    qtbot: QtBot, actions: FakeActions, reason: FailureReason
) -> None:
    window = KioskWindow(actions, "新泰市政务服务中心", service_window="3号窗口")
    qtbot.addWidget(window)
    window.show()
    window.apply(view(State.FAILED, failure=Failure(reason, State.FETCHING, "some_code")))
    assert window.stack.currentWidget() is window.failure
    what, todo = failure_text.describe(Failure(reason, State.FETCHING))
    texts = visible_texts(window.failure)
    assert what in texts and todo in texts
    code = failures.describe(Failure(reason, State.FETCHING)).code
    assert f"需要帮助请到3号窗口，并告诉工作人员错误代码 {code}" in texts
    assert not any(reason.value in text or "some_code" in text for text in texts)
    assert flow.TAKE_CARD not in texts  # the card was taken already
    window.failure.home.click()
    assert actions.calls[-1] == ("end", None)


def test_a_failure_with_the_card_still_there_asks_for_it(window: KioskWindow) -> None:
    failure = Failure(FailureReason.CARD_EXPIRED, State.READING)
    window.apply(view(State.FAILED, failure=failure, card_on_reader=True))
    assert flow.TAKE_CARD in visible_texts(window.failure)


def test_printer_fault_message_names_the_fault(window: KioskWindow) -> None:
    window.apply(
        view(
            State.FAILED, failure=Failure(FailureReason.PRINTER_FAULT, State.PRINTING, "paper_out")
        )
    )
    assert "打印机缺纸" in visible_texts(window.failure)


def test_returning_to_idle_clears_personal_data_from_widgets(window: KioskWindow) -> None:
    report = make_report(2)
    window.apply(view(State.SHOWING, report=report, holder_name=NAME))
    window.apply(SessionView(number=1, state=State.IDLE, deadline=None))
    window.report.show()
    texts = " ".join(visible_texts(window.report))
    assert NAME not in texts and report.report_no not in texts


def test_demo_control_only_when_demo(
    qtbot: QtBot, actions: FakeActions, window: KioskWindow
) -> None:
    assert window.demo_panel is None
    demo = FakeDemo()
    with_demo = KioskWindow(actions, "厅", demo=demo, demo_cards=[("r01", "张某 · 无记录")])
    qtbot.addWidget(with_demo)
    with_demo.show()
    assert with_demo.demo_panel is not None and not with_demo.demo_panel.isVisible()
    with_demo.demo_open.click()
    assert with_demo.demo_panel.isVisible()
    with_demo.demo_panel.card_buttons[0].click()
    assert not with_demo.demo_panel.isVisible()
    with_demo.demo_open.click()
    with_demo.demo_panel.remove.click()
    assert demo.laid == ["r01", "removed"]


def a_status(available: bool | None, with_content: bool = True) -> PlatformStatus:
    notices = (Notice("n1", "信用修复指南", "2025-05-12", "新泰市社会信用中心", "办理流程说明"),)
    lists = (
        ListEntry(
            "l1",
            "black",
            "严重违法失信名单",
            "某某公司",
            "91370982MA3R5T0H2C",
            "拖欠工资",
            "新泰市人力资源和社会保障局",
            "2025-01-02",
        ),
    )
    if not with_content:
        return PlatformStatus(available)
    return PlatformStatus(available, notices, lists, content_fetched_at=1_790_000_000.0)


def test_an_outage_replaces_the_card_prompt_with_plain_words(
    qtbot: QtBot, actions: FakeActions
) -> None:
    window = KioskWindow(actions, "新泰市政务服务中心", service_window="3号窗口")
    qtbot.addWidget(window)
    window.show()
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    window.apply_platform(a_status(None))
    assert attract_text.PROMPT in visible_texts(window.attract)
    window.apply_platform(a_status(False))
    texts = visible_texts(window.attract)
    assert "信用报告暂时无法查询，请稍后再试或到3号窗口" in texts
    assert attract_text.PROMPT not in texts and not window.attract.picture.isVisibleTo(window)
    assert not any("平台" in text for text in texts)  # no jargon
    window.apply_platform(a_status(True))
    assert attract_text.PROMPT in visible_texts(window.attract)
    assert not window.attract.outage.isVisibleTo(window)


def test_publicity_shows_cached_content_with_its_age(window: KioskWindow) -> None:
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    window.apply_platform(a_status(False))
    window.attract.publicity.click()
    assert window.stack.currentWidget() is window.publicity
    texts = visible_texts(window.publicity)
    assert any(t.startswith("数据更新于 ") for t in texts)
    assert "信用修复指南" in texts and "某某公司（严重违法失信名单）" in texts
    assert "秒后返回首页" in window.countdown.text()
    window.publicity.home.click()
    assert window.stack.currentWidget() is window.attract


def test_publicity_without_cache_says_so(window: KioskWindow) -> None:
    window.apply_platform(a_status(False, with_content=False))
    window.attract.publicity.click()
    assert "暂无已缓存的公示信息，请联网后再查看" in visible_texts(window.publicity)


def test_publicity_returns_home_when_left_alone(qtbot: QtBot, actions: FakeActions) -> None:
    now = [100.0]
    w = KioskWindow(actions, "厅", clock=lambda: now[0])
    qtbot.addWidget(w)
    w.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    w.attract.publicity.click()
    now[0] += 61
    qtbot.waitUntil(lambda: w.stack.currentWidget() is w.attract, timeout=2000)


def test_a_printer_out_of_order_is_not_offered(window: KioskWindow, actions: FakeActions) -> None:
    report = make_report()
    shown = view(State.SHOWING, report=report, printable=frozenset({PrintKind.A4}))
    window.apply(shown)
    window.report.print.click()
    choice = window.print_choice
    assert choice.choices[PrintKind.A4].isVisibleTo(choice)
    assert not choice.choices[PrintKind.RECEIPT].isVisibleTo(choice)
    assert not choice.both.isVisibleTo(choice)
    window.apply(view(State.SHOWING, report=report))  # the receipt printer answers again
    assert choice.both.isVisibleTo(choice) and choice.choices[PrintKind.RECEIPT].isVisibleTo(choice)


def test_out_of_service_sends_residents_to_the_window_and_comes_back(
    qtbot: QtBot, actions: FakeActions
) -> None:
    window = KioskWindow(actions, "新泰市政务服务中心", service_window="3号窗口")
    qtbot.addWidget(window)
    window.show()
    window.apply(SessionView(number=4, state=State.IDLE, deadline=None, in_service=False))
    assert window.stack.currentWidget() is window.out_of_service
    texts = visible_texts(window.out_of_service)
    assert "本机暂停服务" in texts and "请到3号窗口办理" in texts
    window.apply(SessionView(number=4, state=State.IDLE, deadline=None))
    assert window.stack.currentWidget() is window.attract


def test_out_of_service_without_a_window_number_names_the_service_window(
    window: KioskWindow,
) -> None:
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None, in_service=False))
    assert "请到服务窗口办理" in visible_texts(window.out_of_service)


def test_consent_shows_the_operators_text_and_answers_both_ways(
    qtbot: QtBot, actions: FakeActions
) -> None:
    window = KioskWindow(actions, "厅", consent_text="查询内容：甲\n\n保存内容：乙")
    qtbot.addWidget(window)
    window.show()
    window.apply(view(State.CONSENT))
    assert window.stack.currentWidget() is window.consent
    texts = visible_texts(window.consent)
    assert "查询授权" in texts and "查询内容：甲" in texts and "保存内容：乙" in texts
    window.consent.agree.click()
    window.consent.refuse.click()
    assert actions.calls == [("consent", True), ("consent", False)]


@pytest.mark.parametrize("state", [State.CONSENT, State.SHOWING])
def test_an_idle_resident_is_asked_for_more_time(
    window: KioskWindow, actions: FakeActions, state: State
) -> None:
    report = make_report()
    window.apply(view(state, report=report, asking=True))
    assert window.stack.currentWidget() is window.still_there
    texts = visible_texts(window.still_there)
    assert "还需要更多时间吗？" in texts
    assert any(t.endswith("秒后将清除本次查询并返回首页") for t in texts)
    assert window.countdown.text() == ""  # the prompt's own countdown, large
    window.still_there_need.click()
    assert actions.calls[-1] == ("touch", None)
    window.apply(view(state, report=report))
    expected = window.consent if state is State.CONSENT else window.report
    assert window.stack.currentWidget() is expected


def test_a_lifted_card_shows_the_grace_countdown_and_comes_back_to_the_print_choice(
    window: KioskWindow,
) -> None:
    report = make_report()
    window.apply(view(State.SHOWING, report=report))
    window.report.print.click()
    window.apply(view(State.SHOWING, report=report, card_away=True))
    assert window.stack.currentWidget() is window.card_away
    assert any(
        t.startswith("请在 ") and t.endswith(" 秒内放回身份证")
        for t in visible_texts(window.card_away)
    )
    window.apply(view(State.SHOWING, report=report))
    assert window.stack.currentWidget() is window.print_choice


def test_exit_asks_first_and_can_be_cancelled(window: KioskWindow, actions: FakeActions) -> None:
    report = make_report()
    window.apply(view(State.SHOWING, report=report))
    window.report.exit.click()
    assert window.stack.currentWidget() is window.exit_prompt
    assert "确定退出吗？报告将被清除" in visible_texts(window.exit_prompt)
    assert ("end", None) not in actions.calls
    window.apply(view(State.SHOWING, report=report))  # the touch republished: still asking
    assert window.stack.currentWidget() is window.exit_prompt
    window.exit_cancel.click()
    assert window.stack.currentWidget() is window.report
    assert ("end", None) not in actions.calls
    window.report.exit.click()
    window.exit_confirm.click()
    assert actions.calls[-1] == ("end", None)


def test_call_staff_from_any_screen_raises_an_alert_and_says_so(
    qtbot: QtBot, actions: FakeActions
) -> None:
    window = KioskWindow(actions, "厅", service_window="3号窗口")
    qtbot.addWidget(window)
    window.show()
    window.apply(view(State.SHOWING, report=make_report()))
    with qtbot.waitSignal(window.staff_called, timeout=1000):
        window.call_staff.click()
    assert actions.calls[-1] == ("staff", "report")
    assert "已通知工作人员，请稍候（3号窗口）" in visible_texts(window)
    window.apply(view(State.CONSENT))
    window.call_staff.click()
    assert actions.calls[-1] == ("staff", "consent")


def test_the_attract_screen_asks_for_the_card_left_on_the_reader(window: KioskWindow) -> None:
    window.apply(SessionView(number=3, state=State.IDLE, deadline=None, card_on_reader=True))
    texts = visible_texts(window.attract)
    assert flow.TAKE_CARD in texts and attract_text.PROMPT not in texts
    window.apply(SessionView(number=3, state=State.IDLE, deadline=None))
    texts = visible_texts(window.attract)
    assert flow.TAKE_CARD not in texts and attract_text.PROMPT in texts
