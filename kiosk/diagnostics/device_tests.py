"""What a technician tries by hand: a test print (receipt slip or A4 page) and a card read,
each through ``DeviceAccess.call`` on the device's own thread."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from devices.base import DeviceError
from devices.idcard.apdu import NoSecurityModule
from devices.idcard.idnumber import has_id_shape, is_valid_id_number, mask_name
from devices.idcard.reader import CardEvent, IdCardReader
from devices.printers.base import PrintResult, ReceiptPrinter
from kiosk.diagnostics.checks import Area, Check, Fact, Status
from kiosk.diagnostics.device_access import DeviceAccess
from kiosk.diagnostics.device_checks import (
    CHECK_TIMEOUT_S,
    PHYSICAL_TIMEOUT_S,
    failed_check,
    fault_summary,
)

CARD_POLL_S = 0.25
PRINT_TIMEOUT_S = 60.0


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
        return failed_check(area, name, error, f"测试打印失败：{fault_summary(error)}")
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
        return failed_check(
            area, name, error, "读卡器无法读取身份信息（只能读到卡片 UID，缺少安全模块）"
        )
    except DeviceError as error:
        return failed_check(area, name, error, f"读卡失败：{fault_summary(error)}")
    except TimeoutError:
        return Check(area, name, Status.FAIL, "读卡器没有在规定时间内应答")
