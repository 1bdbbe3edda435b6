"""What the kiosk says aloud: one Chinese sentence per prompt key.

The voice pack (``kiosk.voice_pack``, ``make voice``) renders each key to ``<key>.wav``;
a recorded human voice replaces a prompt by a file of the same name. The window decides
which key each screen speaks (``ui.voice.prompt_for``).
"""

from __future__ import annotations

from kiosk.failures import REASONS
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
CONSENT = "consent"
STILL_THERE = "still_there"
CARD_AWAY = "card_away"
TAKE_CARD = "take_card"
STAFF_CALLED = "staff_called"
ENTERPRISE_CHOSEN = "enterprise_chosen"
ENTERPRISE_CODE = "enterprise_code"
OBJECTION_REASON = "objection_reason"
OBJECTION_PHONE = "objection_phone"
OBJECTION_CONFIRM = "objection_confirm"
OBJECTION_ACCEPTED = "objection_accepted"
OBJECTION_QUEUED = "objection_queued"
REPAIR_GUIDANCE = "repair_guidance"
FACE_CONSENT = "face_consent"
FACE_CHECK = "face_check"
FACE_RETRY = "face_retry"


def failed(reason: FailureReason) -> str:
    """The key a failure speaks."""
    return f"failed_{reason.value}"


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
    CONFIRM_EXIT: "确定退出吗？退出后报告将被清除。",
    CONSENT: "请阅读查询授权。同意查询请点击同意，不同意请点击不同意。",
    STILL_THERE: "还需要更多时间吗？需要请点击需要。",
    CARD_AWAY: "身份证已拿开，请尽快放回身份证。",
    TAKE_CARD: "请取走身份证。",
    STAFF_CALLED: "已通知工作人员，请稍候。",
    ENTERPRISE_CHOSEN: "已选择企业报告，请放置法定代表人本人的身份证。",
    ENTERPRISE_CODE: "请输入企业的统一社会信用代码，共十八位，见营业执照。",
    OBJECTION_REASON: "请选择异议理由。",
    OBJECTION_PHONE: "如需接收处理结果，请输入手机号码，也可以不填。",
    OBJECTION_CONFIRM: "请核对异议申请，确认后提交。",
    OBJECTION_ACCEPTED: "您的异议已受理，请打印回执并保管好受理编号。",
    OBJECTION_QUEUED: "平台暂时连接不上，您的异议已在本机登记，连接恢复后会自动上传。",
    REPAIR_GUIDANCE: "这是该记录的信用修复指引，可以打印带走。",
    FACE_CONSENT: "为防止他人冒用身份证，需要刷脸核验本人身份。同意请按同意刷脸，"
    "不愿刷脸可以到窗口办理。",
    FACE_CHECK: "请正对摄像头，眨一下眼睛。",
    FACE_RETRY: "未能核验成功，请再试一次。请正对摄像头，眨一下眼睛。",
    # A failure says what the screen says (the catalogue), title then what to do.
    **{failed(reason): f"{entry.title}。{entry.todo}" for reason, entry in REASONS.items()},
}
"""Every prompt key and what it says; ``<key>.wav`` in the voice pack."""
