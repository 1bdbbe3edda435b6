"""Each device's checks, its test print and the card-read test, for the screens and the CLI.

Everything that touches a device runs through ``DeviceAccess.call`` (the device's own thread);
questions to the technician (INTERACTIVE) are asked afterwards, on the caller's thread.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from devices.base import (
    Cover,
    DeviceError,
    HealthLevel,
    HealthReport,
    Jam,
    Paper,
    Toner,
)
from devices.idcard.apdu import NoSecurityModule
from devices.idcard.idnumber import has_id_shape, is_valid_id_number, mask_name
from devices.idcard.reader import CardEvent, IdCardReader
from devices.printers.base import DocumentPrinter, PrinterStatus, PrintResult, ReceiptPrinter
from kiosk.diagnostics.checks import Area, Ask, Check, Fact, Question, Status
from kiosk.diagnostics.device_access import DeviceAccess

CHECK_TIMEOUT_S = 20.0
"""An INTERNAL check: a status query, no moving parts."""
PHYSICAL_TIMEOUT_S = 90.0
"""An EXTERNAL or INTERACTIVE check, or a test print: paper moves."""
CARD_POLL_S = 0.25
PRINT_TIMEOUT_S = 60.0

FAULT_SUMMARIES = {
    "paper_out": "缺纸",
    "cover_open": "机盖未关好",
    "paper_jam": "卡纸",
    "offline": "设备无响应（离线）",
    "timeout": "设备响应超时",
    "print_cancelled": "打印超时，作业已取消",
    "not_found": "找不到设备",
    "not_supported": "设备或驱动不可用",
    "busy": "设备忙",
    "bad_card": "卡片无法读取",
}
INTERACTIVE_QUESTIONS = {
    Area.CARD_READER: Question("读卡器的指示灯和蜂鸣是否正常？", yes="正常", no="不正常"),
    Area.RECEIPT_PRINTER: Question(
        "自检凭条是否打印完整：文字清楚、没有缺行或空白条纹？", yes="完整清楚", no="有问题"
    ),
    Area.DOCUMENT_PRINTER: Question(
        "自检页是否打印完整：文字清楚、没有缺行、污迹或歪斜？", yes="完整清楚", no="有问题"
    ),
    Area.CAMERA: Question("摄像头画面是否清晰、没有遮挡、方向正确？", yes="正常", no="有问题"),
}


_LEVEL_NAMES = {
    HealthLevel.INTERNAL: "内部自检",
    HealthLevel.EXTERNAL: "外部自检（打印自检页或读卡）",
    HealthLevel.INTERACTIVE: "人工确认自检",
}


def fault_summary(error: DeviceError) -> str:
    return FAULT_SUMMARIES.get(error.code, "设备故障")


def _failed(area: Area, name: str, error: DeviceError, summary: str = "") -> Check:
    return Check(
        area,
        name,
        Status.FAIL,
        summary or fault_summary(error),
        detail=f"{error.message} [{error.code}]",
        hint=error.technician_hint,
    )


@dataclass
class _Seen:
    """What one visit to the device thread found."""

    state: str
    health: dict[HealthLevel, HealthReport | Exception] = field(default_factory=dict)
    sensors: PrinterStatus | Exception | None = None
    last_fault: DeviceError | None = None


def _visit(device: Any, levels: tuple[HealthLevel, ...]) -> _Seen:
    """On the device's thread: its sensors, its health at each level, then its last fault
    (a check may just have set it)."""
    seen = _Seen(state=device.state.value)
    if isinstance(device, ReceiptPrinter | DocumentPrinter):
        try:
            seen.sensors = device.status()
        except Exception as error:
            seen.sensors = error
    for level in levels:
        try:
            seen.health[level] = device.check_health(level)
        except Exception as error:
            seen.health[level] = error
    seen.state = device.state.value
    seen.last_fault = device.last_fault
    return seen


def device_checks(
    access: DeviceAccess, area: Area, level: HealthLevel, ask: Ask | None = None
) -> list[Check]:
    """Driver and state, sensors (printers), health at INTERNAL and at ``level``, the last
    fault with its hint, and the counters since start. INTERACTIVE needs ``ask``."""
    driver = access.drivers().get(area)
    if driver is None:
        return [Check(area, "driver", Status.SKIPPED, "未配置该设备")]
    levels = (
        (HealthLevel.INTERNAL,) if level is HealthLevel.INTERNAL else (HealthLevel.INTERNAL, level)
    )
    timeout = CHECK_TIMEOUT_S if level is HealthLevel.INTERNAL else PHYSICAL_TIMEOUT_S
    try:
        seen = access.call(area, lambda device: _visit(device, levels), timeout)
    except DeviceError as error:
        failed = _failed(area, "driver", error, f"设备无法使用：{fault_summary(error)}")
        return [replace(failed, facts={"driver": driver})]
    except TimeoutError:
        return [
            Check(
                area,
                "driver",
                Status.FAIL,
                "设备没有在规定时间内应答",
                detail=f"no answer within {timeout:g} s",
                hint="the driver may be stuck: restart the kiosk service; check the cable",
                facts={"driver": driver},
            )
        ]
    checks = [
        Check(
            area,
            "driver",
            Status.OK,
            f"驱动 {driver}，状态 {seen.state}",
            facts={"driver": driver, "state": seen.state},
        )
    ]
    if seen.sensors is not None:
        checks.append(_sensors(area, seen.sensors))
    checks.append(_health(area, HealthLevel.INTERNAL, seen.health[HealthLevel.INTERNAL]))
    for other in (HealthLevel.EXTERNAL, HealthLevel.INTERACTIVE):
        if other in seen.health:
            checks.append(_health(area, other, seen.health[other], ask))
        else:
            checks.append(
                Check(area, f"health_{other.value}", Status.SKIPPED, f"未做{_LEVEL_NAMES[other]}")
            )
    checks.append(_last_fault(area, seen.last_fault))
    checks.append(_counters(area, access.counters(area)))
    return checks


def _health(
    area: Area, level: HealthLevel, outcome: HealthReport | Exception, ask: Ask | None = None
) -> Check:
    name = f"health_{level.value}"
    title = _LEVEL_NAMES[level]
    if isinstance(outcome, Exception):
        return Check(
            area,
            name,
            Status.FAIL,
            f"{title}出错",
            detail=f"the health check raised {type(outcome).__name__}: {outcome}",
            hint="send the kiosk log to the software supplier",
        )
    facts: dict[str, Fact] = dict(outcome.details)
    if not outcome.ok:
        return Check(area, name, Status.FAIL, f"{title}未通过", detail=outcome.text, facts=facts)
    if level is HealthLevel.INTERACTIVE:
        if ask is None:
            return Check(area, name, Status.SKIPPED, f"{title}需要技术员回答", detail=outcome.text)
        question = INTERACTIVE_QUESTIONS[area]
        if not ask(question):
            return Check(
                area,
                name,
                Status.FAIL,
                f"技术员确认：{question.no}",
                detail=f"{outcome.text}; the technician answered: {question.no}",
                hint="clean the print head / reader window, check the cable, try again",
                facts=facts,
            )
        return Check(area, name, Status.OK, f"{title}通过，技术员确认{question.yes}", facts=facts)
    return Check(area, name, Status.OK, f"{title}通过", detail=outcome.text, facts=facts)


def _sensors(area: Area, sensors: PrinterStatus | Exception) -> Check:
    if isinstance(sensors, Exception):
        error = sensors if isinstance(sensors, DeviceError) else None
        return Check(
            area,
            "sensors",
            Status.FAIL,
            "读不到打印机传感器",
            detail=str(sensors),
            hint=error.technician_hint if error else "",
        )
    facts: dict[str, Fact] = {
        "paper": sensors.paper.value,
        "cover": sensors.cover.value,
        "online": sensors.online,
        "jam": sensors.jam.value,
        "toner": sensors.toner.value,
    }
    failing = [
        text
        for bad, text in (
            (sensors.paper is Paper.OUT, "缺纸"),
            (sensors.cover is Cover.OPEN, "机盖打开"),
            (sensors.jam is Jam.JAMMED, "卡纸"),
            (sensors.online is False, "离线"),
        )
        if bad
    ]
    if failing:
        return Check(
            area,
            "sensors",
            Status.FAIL,
            "、".join(failing),
            hint="load paper, close the cover until it clicks, clear any jam, check power",
            facts=facts,
        )
    warnings = [
        text
        for bad, text in (
            (sensors.paper is Paper.LOW, "纸将用完"),
            (sensors.toner in (Toner.LOW, Toner.EMPTY), "墨粉不足"),
            (sensors.paper is Paper.UNKNOWN, "纸张状态未知"),
            (sensors.cover is Cover.UNKNOWN, "机盖状态未知"),
            (sensors.online is None, "打印机未应答状态查询"),
        )
        if bad
    ]
    if warnings:
        return Check(
            area,
            "sensors",
            Status.WARN,
            "、".join(warnings),
            hint="load paper or toner soon; an unknown sensor: check the printer answers "
            "status queries (cable, profile)",
            facts=facts,
        )
    return Check(area, "sensors", Status.OK, "纸张、机盖正常", facts=facts)


def _last_fault(area: Area, fault: DeviceError | None) -> Check:
    if fault is None:
        return Check(area, "last_fault", Status.OK, "没有未解决的故障")
    return Check(
        area,
        "last_fault",
        Status.WARN,
        f"最近的故障：{fault_summary(fault)}",
        detail=f"{fault.message} [{fault.code}]",
        hint=fault.technician_hint,
        facts={"code": fault.code},
    )


def _counters(area: Area, counters: Mapping[str, int] | None) -> Check:
    if counters is None:
        return Check(
            area,
            "counters",
            Status.SKIPPED,
            "计数只在终端程序里可见",
            detail="the kiosk counts what its devices do since it started; this command "
            "opened the device itself",
        )
    text = "，".join(f"{COUNTER_NAMES.get(k, k)} {v}" for k, v in counters.items())
    return Check(area, "counters", Status.OK, f"启动以来：{text or '无'}", facts=dict(counters))


COUNTER_NAMES = {
    "cards_read": "读卡",
    "read_failures": "读卡失败",
    "jobs_printed": "打印",
    "cuts": "切纸",
    "faults": "故障",
}


# --- test print ---
def print_test_page(
    access: DeviceAccess, area: Area, terminal_id: str, printed_at: dt.datetime
) -> Check:
    """The receipt test slip (``Area.RECEIPT_PRINTER``) or the A4 test page."""
    name = "test_print"
    if area not in access.drivers():
        return Check(area, name, Status.SKIPPED, "未配置该打印机")

    # reportlab loads here, not with the checks: it takes a second or more to import
    from kiosk.documents.technician_prints import build_test_page_pdf, build_test_receipt

    def run(printer: Any) -> PrintResult:
        if isinstance(printer, ReceiptPrinter):
            return printer.print_receipt(
                build_test_receipt(terminal_id, printed_at), PRINT_TIMEOUT_S
            )
        pdf = build_test_page_pdf(terminal_id, printed_at)
        result: PrintResult = printer.print_pdf(pdf, "kiosk test page", PRINT_TIMEOUT_S)
        return result

    started = time.perf_counter()
    try:
        result = access.call(area, run, PHYSICAL_TIMEOUT_S)
    except DeviceError as error:
        return _failed(area, name, error, f"测试打印失败：{fault_summary(error)}")
    except TimeoutError:
        return Check(area, name, Status.FAIL, "测试打印没有在规定时间内完成")
    facts: dict[str, Fact] = {
        "job_id": result.job_id,
        "confirmed": result.confirmed,
        "pages": result.pages,
        "print_ms": round((time.perf_counter() - started) * 1000),
    }
    what = "测试凭条" if area is Area.RECEIPT_PRINTER else "A4 测试页"
    if not result.confirmed:
        return Check(
            area,
            name,
            Status.WARN,
            f"{what}已发送，打印机未确认",
            hint="check the slip came out; the printer does not confirm jobs",
            facts=facts,
        )
    return Check(
        area,
        name,
        Status.OK,
        f"{what}已打印：请核对中文（含“䶮”）、二维码和刻度尺",
        facts=facts,
    )


# --- card read test ---
def read_card_test(access: DeviceAccess, timeout_s: float) -> Check:
    """Wait up to ``timeout_s`` for a card, read it, and report it masked with the timings.
    A reader that answers only the card's UID is named as one that cannot read identity data."""
    area, name = Area.CARD_READER, "read_card"
    if area not in access.drivers():
        return Check(area, name, Status.SKIPPED, "未配置读卡器")

    def run(reader: IdCardReader) -> Check:
        started = time.monotonic()
        deadline = started + timeout_s
        while (
            reader.wait_for_card_event(max(0.0, min(CARD_POLL_S, deadline - time.monotonic())))
            is not CardEvent.INSERTED
        ):
            if time.monotonic() >= deadline:
                return Check(
                    area,
                    name,
                    Status.FAIL,
                    f"{timeout_s:g} 秒内没有放卡",
                    detail=f"no card laid within {timeout_s:g} s",
                )
        laid = time.monotonic()
        card = reader.read_card(max(1.0, deadline - laid))
        read_ms = round((time.monotonic() - laid) * 1000)
        number = card.id_number
        facts: dict[str, Fact] = {
            "card_type": card.card_type.value,
            "name_masked": mask_name(card.name),
            "id_masked": number[:4] + "*" * 10 + number[-4:],  # hides the length too
            "id_checksum_ok": is_valid_id_number(number) if has_id_shape(number) else None,
            "valid_to": "long_term" if card.valid_to is None else card.valid_to.isoformat(),
            "photo_bytes": len(card.photo),
            "wait_ms": round((laid - started) * 1000),
            "read_ms": read_ms,
        }
        summary = f"读卡成功：{facts['name_masked']} {facts['id_masked']}，用时 {read_ms} 毫秒"
        return Check(area, name, Status.OK, summary, facts=facts)

    try:
        return access.call(area, run, timeout_s + CHECK_TIMEOUT_S)
    except NoSecurityModule as error:
        return _failed(
            area, name, error, "读卡器无法读取身份信息（只能读到卡片 UID，缺少安全模块）"
        )
    except DeviceError as error:
        return _failed(area, name, error, f"读卡失败：{fault_summary(error)}")
    except TimeoutError:
        return Check(area, name, Status.FAIL, "读卡器没有在规定时间内应答")
