"""Each device's checks (driver, sensors, health at each level, last fault, counters),
for the screens and the CLI.

Everything that touches a device runs through ``DeviceAccess.call`` (the device's own thread);
questions to the technician (INTERACTIVE) are asked afterwards, on the caller's thread.
"""

from __future__ import annotations

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
from devices.printers.base import DocumentPrinter, PrinterStatus, ReceiptPrinter
from kiosk.diagnostics.checks import Area, Ask, Check, Fact, Question, Status
from kiosk.diagnostics.device_access import DeviceAccess

CHECK_TIMEOUT_S = 20.0
"""An INTERNAL check: a status query, no moving parts."""
PHYSICAL_TIMEOUT_S = 90.0
"""An EXTERNAL or INTERACTIVE check, or a test print: paper moves."""

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
}


_LEVEL_NAMES = {
    HealthLevel.INTERNAL: "内部自检",
    HealthLevel.EXTERNAL: "外部自检（打印自检页或读卡）",
    HealthLevel.INTERACTIVE: "人工确认自检",
}


def fault_summary(error: DeviceError) -> str:
    return FAULT_SUMMARIES.get(error.code, "设备故障")


def failed_check(area: Area, name: str, error: DeviceError, summary: str = "") -> Check:
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
        failed = failed_check(area, "driver", error, f"设备无法使用：{fault_summary(error)}")
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
