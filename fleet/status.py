"""Fleet status as the platform reports it (``GET /api/v1/fleet/terminals``): each terminal's
latest heartbeat, read with the operators' bearer token."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
import requests

from kiosk.contract import FleetTerminal, FleetTerminals, ReleaseChannel, rollout_bucket

FLEET_PATH = "/api/v1/fleet/terminals"
STALE_AFTER = dt.timedelta(minutes=10)
"""Heartbeats come every few minutes: one this late means the terminal is not well."""
OFFLINE_AFTER = dt.timedelta(hours=24)

Liveness = Literal["ONLINE", "STALE", "OFFLINE"]


class FleetStatusError(Exception):
    """The platform did not give the fleet status; the message is for the operator."""


def fetch_fleet(platform_url: str, operator_token: str, timeout_s: float = 10.0) -> FleetTerminals:
    """The platform's fleet status."""
    try:
        response = requests.get(
            platform_url.rstrip("/") + FLEET_PATH,
            headers={"Authorization": f"Bearer {operator_token}"},
            timeout=timeout_s,
        )
    except requests.RequestException as error:
        raise FleetStatusError(f"无法连接平台 {platform_url}：{error}") from error
    with response:
        if response.status_code != 200:
            raise FleetStatusError(
                f"平台拒绝了终端状态查询（HTTP {response.status_code}）：{response.text[:200]}"
            )
        try:
            return msgspec.json.decode(response.content, type=FleetTerminals)
        except msgspec.DecodeError as error:
            raise FleetStatusError(f"平台返回的终端状态无法解析：{error}") from error


def liveness(terminal: FleetTerminal, now: dt.datetime) -> Liveness:
    age = now - terminal.last_seen_at
    if age < STALE_AFTER:
        return "ONLINE"
    if age < OFFLINE_AFTER:
        return "STALE"
    return "OFFLINE"


def status_report(fleet: FleetTerminals, channel: ReleaseChannel | None, now: dt.datetime) -> str:
    """The text ``taihaoban-release status`` prints: the channel, then one line per
    terminal (liveness, version, update state, device health, queue, cohort)."""
    lines = []
    if channel is None:
        lines.append("发布频道：尚未发布任何版本")
    else:
        state = (
            "已暂停" if channel.halted else "进行中" if channel.rollout_percent < 100 else "全量"
        )
        lines.append(
            f"发布频道：版本 {channel.version}，范围 {channel.rollout_percent}%（{state}），"
            f"其余终端：{channel.previous or '保持现有版本'}"
        )
        if channel.note:
            lines.append(f"备注：{channel.note}")
    counts = {name: 0 for name in ("ONLINE", "STALE", "OFFLINE")}
    rows = []
    for terminal in sorted(fleet.terminals, key=lambda t: t.terminal_id):
        alive = liveness(terminal, now)
        counts[alive] += 1
        update = "-"
        if terminal.update is not None:
            update = terminal.update.state
            if terminal.update.version:
                update += f" {terminal.update.version}"
        health = "正常" if terminal.devices_ok else "故障：" + ",".join(terminal.unhealthy)
        in_cohort = channel is not None and rollout_bucket(terminal.terminal_id) < (
            channel.rollout_percent
        )
        rows.append(
            (
                terminal.terminal_id,
                alive,
                terminal.version,
                update,
                health,
                str(terminal.outbox_depth),
                f"{terminal.last_seen_at.astimezone():%m-%d %H:%M}",
                "是" if in_cohort else "",
            )
        )
    lines.append(
        f"终端 {len(rows)} 台：在线 {counts['ONLINE']}，迟滞 {counts['STALE']}，"
        f"离线 {counts['OFFLINE']}"
    )
    header = ("终端", "状态", "版本", "更新", "设备", "待上传", "最后心跳", "本批次")
    lines.extend(_table([header, *rows]))
    return "\n".join(lines) + "\n"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)
