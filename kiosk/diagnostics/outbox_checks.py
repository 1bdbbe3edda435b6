"""The outbox as a technician needs it: what waits (by kind, how old), what the platform
refused (dead letters, with the reason), and the two remedies: retry now, requeue."""

from __future__ import annotations

import time

from kiosk.diagnostics.actions import record_action
from kiosk.diagnostics.checks import Area, Check, Fact, Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.platform.client import PlatformError
from offline_cache.outbox import DeadLetter, OutboxError

OLD_ITEM_S = 3600.0
"""An item waiting longer than this means the drain is not getting through."""
KIND_NAMES = {
    "query_record": "查询记录",
    "print_record": "打印记录",
    "device_fault": "设备故障",
    "technician_action": "维护操作",
    "heartbeat": "心跳",
    "update_step": "更新记录",
}


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} 秒"
    if seconds < 7200:
        return f"{seconds / 60:.0f} 分钟"
    return f"{seconds / 3600:.1f} 小时"


def outbox_checks(diag: Diagnostics) -> list[Check]:
    area = Area.OUTBOX
    if diag.outbox is None:
        return [Check(area, "queue", Status.SKIPPED, "没有配置状态目录，无法查看待上报数据")]
    health = diag.outbox.health()
    facts: dict[str, Fact] = {
        "depth": health.depth,
        "cap": health.cap,
        "oldest_age_s": None if health.oldest_age_s is None else round(health.oldest_age_s),
        **{f"kind.{kind}": n for kind, n in health.by_kind.items()},
    }
    by_kind = "，".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in sorted(health.by_kind.items()))
    if health.storage_full:
        queue = Check(
            area,
            "queue",
            Status.FAIL,
            "磁盘已满，新的记录无法保存",
            hint="free space in the state directory (old logs, printed files)",
            facts=facts,
        )
    elif health.near_cap:
        queue = Check(
            area,
            "queue",
            Status.WARN,
            f"待上报 {health.depth} 条，接近上限 {health.cap}：心跳将先被丢弃",
            hint="the platform has not taken items for a long time: check the platform area",
            facts=facts,
        )
    elif health.oldest_age_s is not None and health.oldest_age_s > OLD_ITEM_S:
        queue = Check(
            area,
            "queue",
            Status.WARN,
            f"待上报 {health.depth} 条（{by_kind}），最早一条已等 {_age(health.oldest_age_s)}",
            hint="the drain is not getting through: check the platform area, then retry now",
            facts=facts,
        )
    else:
        text = f"待上报 {health.depth} 条" + (f"（{by_kind}）" if by_kind else "")
        queue = Check(area, "queue", Status.OK, text, facts=facts)
    checks = [queue, _dead_letters(diag.outbox.dead_letter_items())]
    if health.recovered_from:
        checks.append(
            Check(
                area,
                "recovered",
                Status.WARN,
                "数据库曾损坏，已另存并重建",
                detail=f"the corrupt file was moved aside as {health.recovered_from}",
                hint="send the moved file to the software supplier; items in it were lost",
            )
        )
    return checks


def _dead_letters(letters: list[DeadLetter]) -> Check:
    if not letters:
        return Check(Area.OUTBOX, "dead_letters", Status.OK, "没有被平台拒收的记录")
    now = time.time()
    return Check(
        Area.OUTBOX,
        "dead_letters",
        Status.FAIL,
        f"{len(letters)} 条记录被平台拒收",
        detail="; ".join(
            f"{d.idempotency_key} ({d.kind}, {_age(now - d.moved_at)} ago): {d.reason}"
            for d in letters
        ),
        hint="fix the cause (see each reason), then requeue: taihaoban-kiosk diag outbox "
        "--requeue KEY",
        facts={d.idempotency_key: f"{d.kind}: {d.reason}" for d in letters},
    )


def dead_letters(diag: Diagnostics) -> list[DeadLetter]:
    return [] if diag.outbox is None else diag.outbox.dead_letter_items()


def requeue_dead_letter(diag: Diagnostics, key: str) -> Check:
    """Send a refused item again (after its cause was fixed)."""
    if diag.outbox is None:
        return Check(Area.OUTBOX, "requeue", Status.SKIPPED, "没有配置状态目录")
    if not diag.outbox.requeue_dead_letter(key):
        return Check(
            Area.OUTBOX,
            "requeue",
            Status.FAIL,
            "没有这条被拒收的记录",
            detail=f"no dead letter {key!r}",
        )
    record_action(diag, "requeue_dead_letter", key)
    failed = _send_now(diag)
    summary = "已重新排队" + (f"，暂未发出：{failed}" if failed else "")
    return Check(Area.OUTBOX, "requeue", Status.OK, summary, facts={"key": key})


def retry_now(diag: Diagnostics) -> Check:
    """Every waiting item is due now (held-back ones too), and the drain is asked to send."""
    if diag.outbox is None:
        return Check(Area.OUTBOX, "retry", Status.SKIPPED, "没有配置状态目录")
    made_due = diag.outbox.make_all_due()
    record_action(diag, "retry_outbox", f"{made_due} items were held back")
    failed = _send_now(diag)
    depth = diag.outbox.depth()
    if diag.send_outbox is None:
        summary = f"已设为立即发送，由终端程序发出；现有 {depth} 条"
    else:
        outcome = f"，发送失败：{failed}" if failed else ""
        summary = f"已要求立即发送{outcome}，还剩 {depth} 条"
    status = Status.FAIL if failed else Status.OK
    return Check(
        Area.OUTBOX, "retry", status, summary, facts={"made_due": made_due, "depth": depth}
    )


def _send_now(diag: Diagnostics) -> str | None:
    """Ask the drain to send now; the error's code when that failed at once."""
    if diag.send_outbox is None:
        return None
    try:
        diag.send_outbox()
    except PlatformError as error:
        return error.code
    except OutboxError as error:
        return type(error).__name__
    return None
