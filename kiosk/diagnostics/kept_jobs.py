"""A4 jobs the printer driver kept through a fault (``devices.printers.kept_jobs``): list
them, release them (print now) or cancel one."""

from __future__ import annotations

from devices.base import DeviceError
from devices.printers.base import DocumentPrinter
from devices.printers.kept_jobs import KeptJob
from kiosk.diagnostics.actions import record_action
from kiosk.diagnostics.checks import Area, Check, Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.diagnostics.device_checks import PHYSICAL_TIMEOUT_S, PRINT_TIMEOUT_S, fault_summary

AREA = Area.DOCUMENT_PRINTER


def kept_jobs(diag: Diagnostics) -> list[KeptJob]:
    """Oldest first; expired ones are deleted on the way."""
    store = diag.kept_jobs
    return [] if store is None else store.jobs()


def kept_jobs_check(diag: Diagnostics) -> Check:
    store = diag.kept_jobs
    if store is None:
        return Check(AREA, "kept_jobs", Status.SKIPPED, "没有配置状态目录和终端密钥")
    jobs = store.jobs()
    if not jobs:
        return Check(AREA, "kept_jobs", Status.OK, "没有暂存的打印作业")
    now = store.clock()
    return Check(
        AREA,
        "kept_jobs",
        Status.WARN,
        f"{len(jobs)} 份因打印机故障暂存的报告等待打印",
        detail=", ".join(f"{job.id} (kept {job.age_s(now) / 60:.0f} min ago)" for job in jobs),
        hint="fix the printer, then release them (they print for the resident who left) or "
        "cancel them; they are deleted unprinted after 24 h",
        facts={job.id: round(job.age_s(now)) for job in jobs},
    )


def release_kept_jobs(diag: Diagnostics) -> Check:
    """Print every kept job now, oldest first (the driver stops at the first failure)."""
    waiting = len(kept_jobs(diag))
    if waiting == 0:
        return Check(AREA, "release", Status.OK, "没有暂存的打印作业")

    def run(printer: DocumentPrinter) -> int:
        return len(printer.print_kept_jobs(PRINT_TIMEOUT_S))

    record_action(diag, "release_kept_jobs", f"{waiting} waiting")
    try:
        printed = diag.devices.call(AREA, run, waiting * PHYSICAL_TIMEOUT_S)
    except DeviceError as error:
        return Check(
            AREA,
            "release",
            Status.FAIL,
            f"无法打印：{fault_summary(error)}",
            detail=str(error),
            hint=error.technician_hint,
        )
    except TimeoutError:
        return Check(AREA, "release", Status.FAIL, "打印没有在规定时间内完成")
    left = len(kept_jobs(diag))
    status = Status.OK if left == 0 else Status.FAIL
    summary = f"已打印 {printed} 份" + (f"，还有 {left} 份未打印（打印机仍有故障）" if left else "")
    return Check(AREA, "release", status, summary, facts={"printed": printed, "left": left})


def cancel_kept_job(diag: Diagnostics, job_id: str) -> Check:
    store = diag.kept_jobs
    job = next((job for job in kept_jobs(diag) if job.id == job_id), None)
    if store is None or job is None:
        return Check(
            AREA, "cancel", Status.FAIL, "没有这份暂存作业", detail=f"no kept job {job_id!r}"
        )
    store.drop(job)
    record_action(diag, "cancel_kept_job", job_id)
    return Check(
        AREA, "cancel", Status.OK, "暂存作业已删除（不会再打印）", facts={"job_id": job_id}
    )
