import time

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from kiosk.contract import ListEntry, Notice
from kiosk.platform.watch import PlatformStatus
from kiosk.session import Failure, FailureReason, PrintKind, SessionView, State
from tests.reports import make_report
from ui.screens.report import RECORDS_PER_PAGE, paginate
from ui.strings import done as done_text
from ui.strings import failure as failure_text
from ui.strings import report as report_text
from ui.window import KioskWindow

NAME = "测试员甲"


class FakeActions:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def print_report(self, kinds: frozenset[PrintKind]) -> None:
        self.calls.append(("print", kinds))

    def end_session(self) -> None:
        self.calls.append(("end", None))

    def touch(self) -> None:
        self.calls.append(("touch", None))

    def consent_to_face_check(self) -> None:
        self.calls.append(("face_consent", None))

    def refuse_face_check(self) -> None:
        self.calls.append(("face_refused", None))


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
def test_every_wait_shows_progress_and_a_countdown(window: KioskWindow, state: State) -> None:
    window.apply(view(state))
    assert window.stack.currentWidget() is window.progress
    assert window.progress.bar.maximum() == 0  # busy indicator
    assert "秒后返回首页" in window.countdown.text()
    if state is State.READING:
        assert window.progress.message.text() == "正在读取，请勿移动身份证"


def test_report_pages_and_print_choice(window: KioskWindow, actions: FakeActions) -> None:
    report = make_report(6)
    window.apply(view(State.SHOWING, report=report, holder_name=NAME))
    assert window.stack.currentWidget() is window.report
    texts = " ".join(visible_texts(window.report))
    assert report.report_no in texts and "测**甲" in texts and NAME not in texts
    pages = paginate(report, RECORDS_PER_PAGE[False])
    assert window.report.page_label.text() == f"第 1 / {len(pages)} 页"
    assert not window.report.previous.isEnabled()
    window.report.next.click()
    assert window.report.page_label.text() == f"第 2 / {len(pages)} 页"
    assert ("touch", None) in actions.calls
    window.report.open_section("black_list")
    assert "失信惩戒/黑名单（共 6 条，第 1–2 条）" in visible_texts(window.report)
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
def test_every_failure_has_a_chinese_message_and_a_way_home(
    window: KioskWindow, actions: FakeActions, reason: FailureReason
) -> None:
    window.apply(view(State.FAILED, failure=Failure(reason, State.FETCHING, "some_code")))
    assert window.stack.currentWidget() is window.failure
    what, todo = failure_text.describe(Failure(reason, State.FETCHING))
    assert what in visible_texts(window.failure) and todo in visible_texts(window.failure)
    assert any("\u4e00" <= ch <= "\u9fa5" for ch in what + todo)
    window.failure.home.click()
    assert actions.calls[-1] == ("end", None)


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


def test_outage_banner_follows_the_platform(window: KioskWindow) -> None:
    window.apply(SessionView(number=0, state=State.IDLE, deadline=None))
    window.apply_platform(a_status(None))
    assert not window.attract.outage.isVisibleTo(window)
    window.apply_platform(a_status(False))
    assert window.attract.outage.isVisibleTo(window)
    assert "平台连接中断，部分功能暂不可用" in window.attract.outage.text()
    window.apply_platform(a_status(True))
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


def test_a_printer_out_of_order_cannot_be_chosen(window: KioskWindow, actions: FakeActions) -> None:
    report = make_report()
    shown = view(State.SHOWING, report=report, printable=frozenset({PrintKind.A4}))
    window.apply(shown)
    window.report.print.click()
    choice = window.print_choice
    assert choice.choices[PrintKind.A4].isEnabled()
    assert not choice.choices[PrintKind.RECEIPT].isEnabled() and not choice.both.isEnabled()
    assert report_text.UNAVAILABLE in visible_texts(choice)
    choice.choices[PrintKind.RECEIPT].click()
    choice.both.click()
    assert not [call for call in actions.calls if call[0] == "print"]
    window.apply(view(State.SHOWING, report=report))  # the receipt printer answers again
    assert choice.both.isEnabled() and report_text.UNAVAILABLE not in visible_texts(choice)


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
