"""What happened and what to do, for each way a session can fail."""

from kiosk.session import Failure, FailureReason, State
from ui.strings.out_of_service import SERVICE_WINDOW

MESSAGES: dict[FailureReason, tuple[str, str]] = {
    FailureReason.CARD_UNREADABLE: (
        "无法读取身份证信息",
        "请将身份证平放在读卡区中央，读取过程中不要移动，然后再试一次。多次失败请联系窗口工作人员。",
    ),
    FailureReason.CARD_CHECKSUM: (
        "身份证号码校验未通过",
        "证件号码的校验位不正确，无法查询。请确认使用的是本人有效的第二代居民身份证，或到窗口咨询。",
    ),
    FailureReason.CARD_UNSUPPORTED: (
        "暂不支持此类证件",
        "本机可查询第二代居民身份证和港澳台居民居住证。外国人永久居留身份证请到窗口办理。",
    ),
    FailureReason.CARD_EXPIRED: (
        "身份证已超过有效期",
        "请使用有效期内的身份证。换领身份证请到公安机关户政窗口办理。",
    ),
    FailureReason.CARD_MOVED: (
        "读取时身份证被移动",
        "请将身份证平放在读卡区中央，读取完成前不要移动或拿开，然后再试一次。",
    ),
    FailureReason.NOT_AN_ID_CARD: (
        "这不是身份证",
        "读卡区上的卡片不是身份证。银行卡、社保卡等卡片无法查询，请放置本人的身份证。",
    ),
    FailureReason.READER_FAULT: (
        "读卡器暂时无法使用",
        "请联系窗口工作人员，或稍后再试。",
    ),
    FailureReason.PLATFORM_UNAVAILABLE: (
        "信用平台暂时无法连接",
        "网络或平台暂时中断，现在无法出具报告。请稍后再试，或到窗口办理。",
    ),
    FailureReason.PLATFORM_REJECTED: (
        "本次查询未能完成",
        "平台未受理本次查询。请稍后再试；如仍不成功，请联系窗口工作人员。",
    ),
    FailureReason.IDENTITY_MISMATCH: (
        "身份信息核验未通过",
        "证件信息与平台登记信息不一致，请到窗口进行人工核验。",
    ),
    FailureReason.REPORT_MALFORMED: (
        "报告数据异常",
        "平台返回的报告数据不完整，为保证准确未予显示。请稍后再试，或到窗口办理。",
    ),
    FailureReason.PRINTER_FAULT: (
        "打印未能完成",
        "打印机暂时无法使用，请联系窗口工作人员。您可以稍后重新查询打印。",
    ),
    FailureReason.TIMEOUT: (
        "操作超时",
        "本次操作等待时间过长，已自动结束。请重新放置身份证再试。",
    ),
    FailureReason.FACE_CHECK_REFUSED: (
        "好的，请到窗口办理",
        "您选择了不刷脸。请带上身份证到{window}，工作人员核验身份后为您查询打印。",
    ),
    FailureReason.FACE_MISMATCH: (
        "未能通过刷脸核验",
        "这可能与光线或角度有关，不必担心。请带上身份证到{window}，工作人员会为您核验身份后办理。",
    ),
}

# A receipt's rest prints from the printer's buffer; an A4 report is kept (encrypted) and
# printed again whole: both come out once staff have fixed the printer.
_KEPT = "处理后会为您补打，请勿重复打印。"

PRINTER_FAULTS: dict[str, tuple[str, str]] = {
    "paper_out": ("打印机缺纸", "请联系窗口工作人员添加纸张后，重新查询打印。"),
    "cover_open": ("打印机盖未关好", "请联系窗口工作人员检查打印机。"),
    "paper_jam": ("打印机卡纸", "请联系窗口工作人员处理后，重新查询打印。"),
    "offline": ("打印机未连接", "请联系窗口工作人员检查打印机。"),
    "not_found": ("打印机未连接", "请联系窗口工作人员检查打印机。"),
    # The job was under way and stays with the printer: it finishes once staff fix it.
    "paper_out_kept": ("打印中断：打印机缺纸", f"请联系窗口工作人员添加纸张。{_KEPT}"),
    "cover_open_kept": ("打印中断：打印机盖被打开", f"请联系窗口工作人员检查打印机。{_KEPT}"),
    "paper_jam_kept": ("打印中断：打印机卡纸", f"请联系窗口工作人员处理卡纸。{_KEPT}"),
    "offline_kept": ("打印中断：打印机离线", f"请联系窗口工作人员检查打印机。{_KEPT}"),
    "print_cancelled": (
        "打印超时，本次打印已取消",
        "打印机长时间未能完成打印，本次打印任务已取消，不会再自动打出。请联系窗口工作人员。",
    ),
    "timeout": ("打印超时", "打印机长时间无响应，请联系窗口工作人员。"),
    "unconfirmed": (
        "无法确认打印结果",
        "打印机未能确认打印完成。如未取到打印件，请联系窗口工作人员，请勿重复打印。",
    ),
    "job_aborted": ("打印未能完成", "打印任务被打印系统中止，请联系窗口工作人员。"),
    "job_canceled": ("打印已取消", "打印任务已被取消，请联系窗口工作人员。"),
}

TIMEOUTS: dict[State, tuple[str, str]] = {
    State.READING: ("读卡超时", "请将身份证平放在读卡区，不要移动，然后再试一次。"),
    State.AUTHENTICATING: ("信用平台响应超时", "网络较慢或平台繁忙，请稍后再试，或到窗口办理。"),
    State.FETCHING: ("信用平台响应超时", "网络较慢或平台繁忙，请稍后再试，或到窗口办理。"),
    State.PRINTING: ("打印超时", "打印机长时间无响应，请联系窗口工作人员。"),
    State.FACE_CHECK: (
        "刷脸核验超时",
        "本次核验等待时间过长，已自动结束。可以重新放置身份证再试，或到{window}办理。",
    ),
}

ERROR_CODE = "错误代码：{code}"


def describe(failure: Failure, window: str = SERVICE_WINDOW) -> tuple[str, str]:
    """(what happened, what to do) for one failure; ``window``: where the hall sends
    residents (``[terminal] service_window``), named where a message sends them there."""
    if failure.reason is FailureReason.PRINTER_FAULT and failure.code in PRINTER_FAULTS:
        what, todo = PRINTER_FAULTS[failure.code]
    elif failure.reason is FailureReason.TIMEOUT and failure.during in TIMEOUTS:
        what, todo = TIMEOUTS[failure.during]
    else:
        what, todo = MESSAGES[failure.reason]
    return what, todo.replace("{window}", window)
