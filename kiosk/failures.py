"""The failure catalogue: for every way a session can fail, what the resident reads (a title,
a plain explanation that blames no one, what to do) and a four-digit code a clerk looks up
in ``docs/failure-codes.md`` (``python -m kiosk.failures`` writes that table).

Codes: 1xxx the card and its reader, 2xxx the credit platform, 3xxx the printers,
4xxx time limits. A printer fault and a time-out are told apart further by the printer's
own code and by the state that timed out.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.session import Failure, FailureReason, State


@dataclass(frozen=True)
class FailureEntry:
    code: int
    """What the screen shows as 错误代码 and a clerk looks up."""
    title: str
    explanation: str
    """What happened, in plain words."""
    todo: str
    """What the resident can do now."""


GO_TO_WINDOW = "需要帮助请到{window}，并告诉工作人员错误代码 {code}"
DEFAULT_WINDOW = "服务窗口"

REASONS: dict[FailureReason, FailureEntry] = {
    FailureReason.CARD_UNREADABLE: FailureEntry(
        1101,
        "无法读取身份证信息",
        "本机没能完整读出身份证上的信息。",
        "请将身份证平放在读卡区中央，读取过程中不要移动，再试一次。",
    ),
    FailureReason.CARD_CHECKSUM: FailureEntry(
        1102,
        "身份证信息未能核对",
        "本机读出的证件信息与证件的核对规则不一致，可能是读卡时信息没有读全。",
        "请重新放置身份证再试一次；仍不成功，工作人员可以为您人工办理。",
    ),
    FailureReason.CARD_UNSUPPORTED: FailureEntry(
        1103,
        "暂不支持此类证件",
        "本机可查询第二代居民身份证和港澳台居民居住证。",
        "其他证件（如外国人永久居留身份证）请到窗口办理。",
    ),
    FailureReason.CARD_EXPIRED: FailureEntry(
        1104,
        "身份证已超过有效期",
        "这张身份证已过有效期，本机无法用它查询。",
        "请使用有效期内的身份证；换领身份证请到公安机关户政窗口办理。",
    ),
    FailureReason.CARD_MOVED: FailureEntry(
        1105,
        "读取时身份证被移动",
        "读卡还没完成，身份证就离开了读卡区。",
        "请将身份证平放在读卡区中央，读取完成前不要移动或拿开，再试一次。",
    ),
    FailureReason.NOT_AN_ID_CARD: FailureEntry(
        1106,
        "请放置身份证",
        "读卡区上的卡片不是身份证，银行卡、社保卡等卡片无法用于查询。",
        "请取走这张卡片，放置本人的身份证。",
    ),
    FailureReason.READER_FAULT: FailureEntry(
        1201,
        "读卡器暂时无法使用",
        "本机的读卡器出现故障，不是您的证件有问题。",
        "请稍后再试，或到窗口办理。",
    ),
    FailureReason.PLATFORM_UNAVAILABLE: FailureEntry(
        2101,
        "信用报告暂时无法查询",
        "信用平台暂时连接不上，现在无法出具报告。",
        "请稍后再试，或到窗口办理。",
    ),
    FailureReason.PLATFORM_REJECTED: FailureEntry(
        2102,
        "本次查询未能完成",
        "信用平台没有受理本次查询。",
        "请稍后再试；仍不成功请到窗口办理。",
    ),
    FailureReason.IDENTITY_MISMATCH: FailureEntry(
        2103,
        "需要人工核验身份",
        "证件信息与平台登记的信息暂时对不上，本机无法自动确认。",
        "请到窗口，由工作人员为您核验后办理。",
    ),
    FailureReason.REPORT_MALFORMED: FailureEntry(
        2104,
        "报告暂时无法显示",
        "平台送来的报告数据不完整，为保证准确，本机没有显示。",
        "请稍后再试，或到窗口办理。",
    ),
    FailureReason.SESSION_EXPIRED: FailureEntry(
        2105,
        "查询已过期",
        "本次查询在平台的有效时间已过，重新验证也没有成功。",
        "请取回身份证，重新放置后再查询一次。",
    ),
    FailureReason.NOT_LEGAL_REPRESENTATIVE: FailureEntry(
        2106,
        "无法查询该企业的报告",
        "您不是该企业登记的法定代表人，无法查询企业报告。",
        "如需查询，请携带营业执照等材料到窗口办理。",
    ),
    FailureReason.ENTERPRISE_NOT_FOUND: FailureEntry(
        2107,
        "未找到该企业",
        "平台中没有以这个统一社会信用代码登记的企业。",
        "请核对营业执照上的统一社会信用代码后重新查询，或到窗口办理。",
    ),
    FailureReason.FACE_CHECK_REFUSED: FailureEntry(
        1301,
        "好的，请到窗口办理",
        "您选择了不刷脸，这没有关系。",
        "请带上身份证到窗口，工作人员核验身份后为您查询打印。",
    ),
    FailureReason.FACE_MISMATCH: FailureEntry(
        1302,
        "未能通过刷脸核验",
        "这可能与光线或角度有关，不必担心。",
        "请带上身份证到窗口，工作人员会为您核验身份后办理。",
    ),
    FailureReason.PRINTER_FAULT: FailureEntry(
        3100,
        "打印未能完成",
        "打印机暂时无法使用。",
        "请联系工作人员；处理好后可以重新查询打印。",
    ),
    FailureReason.TIMEOUT: FailureEntry(
        4100,
        "等待时间过长",
        "本次操作等待时间过长，已自动结束。",
        "请重新放置身份证再试一次。",
    ),
}

# A receipt's rest prints from the printer's buffer; an A4 report is kept (encrypted) and
# printed again whole: both come out once staff have fixed the printer.
_KEPT = "处理后会为您补打，请勿重复打印。"

PRINTER_FAULTS: dict[str, FailureEntry] = {
    "paper_out": FailureEntry(
        3101, "打印机缺纸", "打印机没有纸了。", "请联系工作人员添加纸张后，重新查询打印。"
    ),
    "cover_open": FailureEntry(
        3102, "打印机盖未关好", "打印机的盖子没有关好。", "请联系工作人员检查打印机。"
    ),
    "paper_jam": FailureEntry(
        3103, "打印机卡纸", "纸张卡在打印机里了。", "请联系工作人员处理后，重新查询打印。"
    ),
    "offline": FailureEntry(
        3104, "打印机未连接", "本机连接不上打印机。", "请联系工作人员检查打印机。"
    ),
    "not_found": FailureEntry(
        3105, "打印机未连接", "本机找不到打印机。", "请联系工作人员检查打印机。"
    ),
    # The job was under way and stays with the printer: it finishes once staff fix it.
    "paper_out_kept": FailureEntry(
        3111, "打印中断：打印机缺纸", "打印到一半时纸用完了。", f"请联系工作人员添加纸张。{_KEPT}"
    ),
    "cover_open_kept": FailureEntry(
        3112,
        "打印中断：打印机盖被打开",
        "打印时打印机的盖子被打开了。",
        f"请联系工作人员检查打印机。{_KEPT}",
    ),
    "paper_jam_kept": FailureEntry(
        3113, "打印中断：打印机卡纸", "打印时纸张卡住了。", f"请联系工作人员处理卡纸。{_KEPT}"
    ),
    "offline_kept": FailureEntry(
        3114,
        "打印中断：打印机离线",
        "打印时打印机断开了连接。",
        f"请联系工作人员检查打印机。{_KEPT}",
    ),
    "print_cancelled": FailureEntry(
        3121,
        "打印超时，本次打印已取消",
        "打印机长时间未能完成打印，本次打印已取消，不会再自动打出。",
        "请联系工作人员。",
    ),
    "timeout": FailureEntry(3122, "打印超时", "打印机长时间没有响应。", "请联系工作人员。"),
    "unconfirmed": FailureEntry(
        3123,
        "无法确认打印结果",
        "打印机没能确认打印已经完成。",
        "如未取到打印件，请联系工作人员，请勿重复打印。",
    ),
    "job_aborted": FailureEntry(
        3124, "打印未能完成", "打印任务被打印系统中止。", "请联系工作人员。"
    ),
    "job_canceled": FailureEntry(3125, "打印已取消", "打印任务已被取消。", "请联系工作人员。"),
}

TIMEOUTS: dict[State, FailureEntry] = {
    State.READING: FailureEntry(
        4101,
        "读卡时间过长",
        "本机在规定时间内没能读完身份证。",
        "请将身份证平放在读卡区，不要移动，再试一次。",
    ),
    State.AUTHENTICATING: FailureEntry(
        4102,
        "信用平台响应较慢",
        "网络较慢或平台繁忙，身份核验没能按时完成。",
        "请稍后再试，或到窗口办理。",
    ),
    State.FETCHING: FailureEntry(
        4103,
        "信用平台响应较慢",
        "网络较慢或平台繁忙，报告没能按时送达。",
        "请稍后再试，或到窗口办理。",
    ),
    State.PRINTING: FailureEntry(
        4104, "打印时间过长", "打印机长时间没有完成打印。", "请联系工作人员。"
    ),
    State.FACE_CHECK: FailureEntry(
        4105,
        "刷脸核验超时",
        "本次核验等待时间过长，已自动结束。",
        "可以重新放置身份证再试，或到窗口办理。",
    ),
}


def describe(failure: Failure) -> FailureEntry:
    """The entry the screen shows for one failure: the most specific there is."""
    if failure.reason is FailureReason.PRINTER_FAULT and failure.code in PRINTER_FAULTS:
        return PRINTER_FAULTS[failure.code]
    if failure.reason is FailureReason.TIMEOUT and failure.during in TIMEOUTS:
        return TIMEOUTS[failure.during]
    return REASONS[failure.reason]


def all_entries() -> list[tuple[str, FailureEntry]]:
    """Every entry with what it is for (for the clerks' table and its test)."""
    entries = [(f"{reason.value}", entry) for reason, entry in REASONS.items()]
    entries += [(f"printer_fault / {code}", entry) for code, entry in PRINTER_FAULTS.items()]
    entries += [(f"timeout / {state.value}", entry) for state, entry in TIMEOUTS.items()]
    return sorted(entries, key=lambda item: item[1].code)


def go_to_window(entry: FailureEntry, window: str) -> str:
    """The line every failure screen ends with: which window, which code."""
    return GO_TO_WINDOW.format(window=window or DEFAULT_WINDOW, code=entry.code)


def clerks_table() -> str:
    """``docs/failure-codes.md``: the codes a resident may read out at a window."""
    lines = [
        "# 错误代码（窗口工作人员查阅）",
        "",
        "自助终端的失败画面会显示“错误代码 NNNN”，并请居民到服务窗口。下表说明每个代码的含义和"
        "可以怎样帮助居民。此文件由 `python -m kiosk.failures > docs/failure-codes.md` 生成，"
        "测试会检查它与终端程序一致。",
        "",
        "代码段：1xxx 身份证与读卡器；2xxx 信用平台；3xxx 打印机；4xxx 等待超时。",
        "",
        "| 代码 | 画面标题 | 说明 | 画面上的建议 | 内部原因 |",
        "|---|---|---|---|---|",
    ]
    for what, entry in all_entries():
        lines.append(
            f"| {entry.code} | {entry.title} | {entry.explanation} | {entry.todo} | `{what}` |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(clerks_table(), end="")
