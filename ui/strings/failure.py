"""What happened and what to do, for each way a session can fail."""

from kiosk.session import Failure, FailureReason, State

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
        "本机目前仅支持第二代居民身份证。港澳台居民居住证、外国人永久居留身份证请到窗口办理。",
    ),
    FailureReason.CARD_EXPIRED: (
        "身份证已超过有效期",
        "请使用有效期内的身份证。换领身份证请到公安机关户政窗口办理。",
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
}

PRINTER_FAULTS: dict[str, tuple[str, str]] = {
    "paper_out": ("打印机缺纸", "请联系窗口工作人员添加纸张后，重新查询打印。"),
    "cover_open": ("打印机盖未关好", "请联系窗口工作人员检查打印机。"),
    "offline": ("打印机未连接", "请联系窗口工作人员检查打印机。"),
}

TIMEOUTS: dict[State, tuple[str, str]] = {
    State.READING: ("读卡超时", "请将身份证平放在读卡区，不要移动，然后再试一次。"),
    State.AUTHENTICATING: ("信用平台响应超时", "网络较慢或平台繁忙，请稍后再试，或到窗口办理。"),
    State.FETCHING: ("信用平台响应超时", "网络较慢或平台繁忙，请稍后再试，或到窗口办理。"),
    State.PRINTING: ("打印超时", "打印机长时间无响应，请联系窗口工作人员。"),
}

ERROR_CODE = "错误代码：{code}"


def describe(failure: Failure) -> tuple[str, str]:
    """(what happened, what to do) for one failure."""
    if failure.reason is FailureReason.PRINTER_FAULT and failure.code in PRINTER_FAULTS:
        return PRINTER_FAULTS[failure.code]
    if failure.reason is FailureReason.TIMEOUT and failure.during in TIMEOUTS:
        return TIMEOUTS[failure.during]
    return MESSAGES[failure.reason]
