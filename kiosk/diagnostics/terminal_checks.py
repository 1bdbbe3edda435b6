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
from kiosk.updater.state import StateFile
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
        *version_checks(diag),
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


def version_checks(diag: Diagnostics) -> list[Check]:
    running = version("taihaoban-kiosk")
    return [
        Check(AREA, "version", Status.OK, f"软件版本 {running}", facts={"version": running}),
        update_check(diag, running),
    ]


UPDATE_STATES = {
    "idle": "没有待装的更新",
    "downloading": "正在下载新版本",
    "pending_commit": "新版本试运行中",
    "committed": "新版本已确认",
    "rolled_back": "新版本已退回",
    "failed": "上次更新失败",
}


def update_check(diag: Diagnostics, running: str) -> Check:
    """Where the updater stands (its state file, ``kiosk/updater``): a failed or rolled-back
    update or an overdue check needs a look; a release on probation is said as such."""
    if diag.updater is None or diag.state_dir is None:
        return Check(AREA, "update", Status.SKIPPED, "本终端未配置自动更新")
    state = StateFile(diag.state_dir).read()
    last = state.last
    overdue = (
        state.last_check_at is None
        or time.time() - state.last_check_at > 2 * diag.updater.poll_interval_s
    )
    facts: dict[str, Fact] = {
        "running": running,
        "committed": state.committed or "",
        "pending": state.pending or "",
        "bad": ", ".join(state.bad),
        "last_state": last.state,
        "last_version": last.version or "",
        "check_overdue": overdue,
    }
    summary = UPDATE_STATES[last.state] + (f"（{last.version}）" if last.version else "")
    if last.state in ("failed", "rolled_back"):
        status, hint = (
            Status.WARN,
            "taihaoban-kiosk update status; journalctl -u taihaoban-kiosk-update",
        )
    elif overdue:
        status, hint = (
            Status.WARN,
            "no check lately: systemctl status taihaoban-kiosk-update.timer",
        )
        summary += "，更新检查已逾期"
    else:
        status, hint = Status.OK, ""
    return Check(AREA, "update", status, summary, detail=last.detail, hint=hint, facts=facts)


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
