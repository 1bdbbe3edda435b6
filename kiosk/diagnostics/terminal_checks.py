"""The terminal itself: in service or not, cached public content, disk, version and update
status, and the tail of its log."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections import deque
from importlib.metadata import version
from pathlib import Path

from kiosk.diagnostics.actions import record_action
from kiosk.diagnostics.checks import Area, Check, Fact, Status
from kiosk.diagnostics.context import CONTENT_FILE, Diagnostics
from kiosk.logs import mask_id_numbers
from kiosk.platform.watch import LISTS, NOTICES
from offline_cache.content_cache import ContentCache

AREA = Area.TERMINAL
LOG_LINES = 200
DISK_WARN_BYTES = 500_000_000
DISK_FAIL_BYTES = 100_000_000
CONTENT_OLD_S = 24 * 3600.0
"""Public content older than a day: the platform watch has not refreshed it."""
CONTENT_NAMES = {NOTICES: "信用新泰公告", LISTS: "红黑名单公示"}


def terminal_checks(diag: Diagnostics) -> list[Check]:
    return [
        service_check(diag),
        *content_checks(diag),
        disk_check(diag),
        *version_checks(),
        log_check(diag),
    ]


def service_check(diag: Diagnostics) -> Check:
    switch = diag.service
    if switch is None:
        return Check(AREA, "service", Status.SKIPPED, "没有配置状态目录，服务开关未知")
    off = switch.switched_off()
    if off is None:
        return Check(AREA, "service", Status.OK, "对外服务中", facts={"in_service": True})
    since = "" if off.since is None else off.since.astimezone().strftime("%Y-%m-%d %H:%M")
    return Check(
        AREA,
        "service",
        Status.WARN,
        f"技术员已暂停服务{f'（{since} 起）' if since else ''}：{off.reason or '未说明原因'}",
        hint="taihaoban-kiosk diag service on (or the switch in technician mode) when done",
        facts={"in_service": False, "since": since, "reason": off.reason},
    )


def set_service(diag: Diagnostics, in_service: bool, reason: str = "") -> Check:
    """Switch the terminal out of service (residents see 暂停服务 with the service window)
    or back. Survives a restart; the running kiosk picks it up within a clock tick."""
    switch = diag.service
    if switch is None:
        return Check(AREA, "service", Status.FAIL, "没有配置状态目录，无法切换服务")
    if in_service:
        switch.switch_on()
        record_action(diag, "service_on")
        return Check(AREA, "service", Status.OK, "已恢复对外服务", facts={"in_service": True})
    switch.switch_off(reason, dt.datetime.now(dt.UTC))
    record_action(diag, "service_off", reason)
    return Check(
        AREA, "service", Status.WARN, "已暂停服务：居民看到“暂停服务”", facts={"in_service": False}
    )


def content_checks(diag: Diagnostics, now: float | None = None) -> list[Check]:
    if diag.state_dir is None or not (diag.state_dir / CONTENT_FILE).exists():
        return [Check(AREA, "content", Status.SKIPPED, "没有缓存的公开内容")]
    now = time.time() if now is None else now
    cache = ContentCache(diag.state_dir / CONTENT_FILE)
    try:
        cached = {name: cache.load(name) for name in CONTENT_NAMES}
    finally:
        cache.close()
    checks = []
    for name, title in CONTENT_NAMES.items():
        content = cached[name]
        check_name = f"content_{name}"
        if content is None:
            checks.append(
                Check(
                    AREA,
                    check_name,
                    Status.WARN,
                    f"{title}：从未取到",
                    hint="the platform watch fetches it once the platform answers",
                )
            )
            continue
        age_s = max(0.0, now - content.fetched_at)
        status = Status.WARN if age_s > CONTENT_OLD_S else Status.OK
        checks.append(
            Check(
                AREA,
                check_name,
                status,
                f"{title}：{age_s / 3600:.1f} 小时前更新",
                hint="see the platform area" if status is Status.WARN else "",
                facts={"age_s": round(age_s)},
            )
        )
    return checks


def disk_check(diag: Diagnostics) -> Check:
    if diag.state_dir is None:
        return Check(AREA, "disk", Status.SKIPPED, "没有配置状态目录")
    where = diag.state_dir if diag.state_dir.exists() else diag.state_dir.parent
    usage = shutil.disk_usage(where)
    facts: dict[str, Fact] = {
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "path": str(diag.state_dir),
    }
    text = f"剩余空间 {usage.free / 1e9:.1f} GB（共 {usage.total / 1e9:.1f} GB）"
    if usage.free < DISK_FAIL_BYTES:
        status = Status.FAIL
    elif usage.free < DISK_WARN_BYTES:
        status = Status.WARN
    else:
        status = Status.OK
    hint = "" if status is Status.OK else "free space: old logs, printed files, update cache"
    return Check(AREA, "disk", status, text, hint=hint, facts=facts)


def version_checks() -> list[Check]:
    running = version("taihaoban-kiosk")
    return [
        Check(AREA, "version", Status.OK, f"软件版本 {running}", facts={"version": running}),
        Check(
            AREA,
            "update",
            Status.SKIPPED,
            "更新状态未知",
            detail="this build has no updater (kiosk/updater): its state cannot be shown",
        ),
    ]


def last_log_lines(path: Path, count: int = LOG_LINES) -> list[str]:
    """The last ``count`` lines of the kiosk's log, ID numbers masked (again: the log
    formatter already masks them)."""
    with path.open(encoding="utf-8", errors="replace") as log:
        tail = deque(log, maxlen=count)
    return [mask_id_numbers(line.rstrip("\n")) for line in tail]


def log_check(diag: Diagnostics) -> Check:
    if diag.log_file is None or not diag.log_file.exists():
        return Check(AREA, "log", Status.SKIPPED, "没有找到日志文件")
    lines = last_log_lines(diag.log_file)
    errors = sum(" ERROR " in line for line in lines)
    stat = os.stat(diag.log_file)
    facts: dict[str, Fact] = {
        "path": str(diag.log_file),
        "errors_in_tail": errors,
        "bytes": stat.st_size,
    }
    text = f"日志最近 {len(lines)} 行中有 {errors} 行错误"
    return Check(AREA, "log", Status.OK, text, facts=facts)
