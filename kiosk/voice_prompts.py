"""What the kiosk says aloud: one Chinese sentence per prompt key.

The voice pack (``kiosk.voice_pack``, ``make voice``) renders each key to ``<key>.wav``;
a recorded human voice replaces a prompt by a file of the same name. The window decides
which key each screen speaks (``ui.voice.prompt_for``).
"""

from __future__ import annotations

from kiosk.session import FailureReason

ATTRACT = "attract"
READING = "reading"
AUTHENTICATING = "authenticating"
FETCHING = "fetching"
REPORT = "report"
PRINT_CHOICE = "print_choice"
NOTHING_PRINTS = "nothing_prints"
PRINTING = "printing"
PRINT_PAUSED = "print_paused"
DONE = "done"
OUTAGE = "outage"
ELDER_ON = "elder_on"
CONFIRM_EXIT = "confirm_exit"


def failed(reason: FailureReason) -> str:
    """The key a failure speaks."""
    return f"failed_{reason.value}"


_FAILURES = {
    FailureReason.CARD_UNREADABLE: "没有读到身份证信息。请把身份证平放在读卡区中央，再试一次。",
    FailureReason.CARD_CHECKSUM: "这张证件的号码无法查询。请使用本人有效的身份证，或到窗口咨询。",
    FailureReason.CARD_UNSUPPORTED: "本机暂不支持这种证件，请到窗口办理。",
    FailureReason.CARD_EXPIRED: "身份证已过有效期，请使用有效期内的身份证。",
    FailureReason.CARD_MOVED: "读取时身份证被移动了。请放好身份证，读完之前不要拿开。",
    FailureReason.NOT_AN_ID_CARD: "读卡区上的不是身份证，请放本人的身份证。",
    FailureReason.READER_FAULT: "读卡器暂时不能使用，请联系工作人员。",
    FailureReason.PLATFORM_UNAVAILABLE: "信用报告暂时无法查询，请稍后再试，或到窗口办理。",
    FailureReason.PLATFORM_REJECTED: "这次查询没有完成，请稍后再试，或联系工作人员。",
    FailureReason.IDENTITY_MISMATCH: "身份核验没有通过，请到窗口进行人工核验。",
    FailureReason.REPORT_MALFORMED: "报告数据不完整，没有显示。请稍后再试，或到窗口办理。",
    FailureReason.PRINTER_FAULT: "打印没有完成，请联系工作人员。",
    FailureReason.TIMEOUT: "等待时间过长，本次操作已自动结束。",
}

PROMPTS: dict[str, str] = {
    ATTRACT: "您好，请把身份证放在下方读卡区。",
    READING: "正在读取身份证，请不要移动身份证。",
    AUTHENTICATING: "正在核验身份，请稍候。",
    FETCHING: "正在查询信用报告，请稍候。",
    REPORT: "信用报告已显示在屏幕上。查看期间请不要拿走身份证。",
    PRINT_CHOICE: "请选择打印方式。",
    NOTHING_PRINTS: "打印机暂时不能使用，现在无法打印。",
    PRINTING: "正在打印，请稍候。",
    PRINT_PAUSED: "打印机缺纸，已通知工作人员。请稍候，加纸后会继续打印。",
    DONE: "打印完成。请取走身份证和打印件。",
    OUTAGE: "信用报告暂时无法查询，请稍后再试，或到窗口办理。",
    ELDER_ON: "已进入长辈模式，字更大，操作时间更长。",
    CONFIRM_EXIT: "确定要退出吗？",
    **{failed(reason): text for reason, text in _FAILURES.items()},
}
"""Every prompt key and what it says; ``<key>.wav`` in the voice pack."""
