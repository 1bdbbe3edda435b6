"""The platform's credit-repair rules (信用修复), as the sandbox applies them to one record.

What the kiosk shows comes only from here (``RepairRule``); the kiosk adds no legal facts.
The rules, in the terms of the design:

- 行政处罚 from the summary procedure (简易程序; the sandbox knows them by a 文书号 with
  "简罚") are not published at all: nothing to repair.
- Other 行政处罚: 一般失信行为 may be repaired 3 months after the decision, 严重失信行为
  1 year after it. The sandbox's stand-in for the platform's classification: confiscation
  or a fine of 10 000 元 or more is 严重.
- 失信被执行人 and 限制高消费人员 are removed by the court once the obligation is
  performed, not by credit repair.
- Other black-list entries are 严重失信: 1 year after the listing.
- Every other section: no rule (the kiosk then says 请咨询窗口).

Dates are judged as of ``today``; the sandbox passes the population's reference date
(``sandbox.records.REFERENCE_DATE``), the "today" its records were drawn for, so the
synthetic records show every case.
"""

from __future__ import annotations

import datetime as dt
import re

from kiosk.contract import RepairRule
from sandbox.records import years_later

GENERAL = "一般失信行为"
SERIOUS = "严重失信行为"
SERIOUS_FINE_YUAN = 10_000
CREDIT_CHINA = "“信用中国”网站（www.creditchina.gov.cn）在线申请"
MATERIALS = (
    "信用修复申请书",
    "信用修复承诺书",
    "已履行行政处罚决定的证明材料（如罚款缴纳凭证）",
)
ENTERPRISE_MATERIAL = "法定代表人身份证明"
COURT_LISTS = ("失信被执行人", "限制高消费人员")
_FINE = re.compile(r"罚款人民币([0-9]+)元")


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _dated(
    category: str, decided: dt.date, authority: str, today: dt.date, enterprise: bool
) -> RepairRule:
    since = years_later(decided, 1) if category == SERIOUS else _months_later(decided, 3)
    period = "1年" if category == SERIOUS else "3个月"
    return RepairRule(
        status="repairable" if today >= since else "not_yet",
        category=category,
        repairable_from=since,
        reason=f"{category}，最短公示期为自决定之日起{period}，期满后可申请信用修复。",
        materials=(*MATERIALS, ENTERPRISE_MATERIAL) if enterprise else MATERIALS,
        where=(CREDIT_CHINA, f"作出决定的机关：{authority}"),
    )


def penalty_rule(row: tuple[str, ...], today: dt.date, enterprise: bool) -> RepairRule:
    # the 双公示 columns: 决定书文号, 违法行为类型, 违法事实, 处罚依据, 处罚类别, 处罚内容,
    # 罚款金额(万元), 处罚决定日期, 处罚机关, 公示截止期
    number, category, content, decided, authority = row[0], row[4], row[5], row[7], row[8]
    if "简罚" in number:
        return RepairRule(
            status="not_repairable",
            category="简易程序",
            reason="适用简易程序作出的行政处罚信息不予公示，无需申请信用修复。",
        )
    fine = max((int(amount) for amount in _FINE.findall(content)), default=0)
    serious = "没收" in category or fine >= SERIOUS_FINE_YUAN
    category = SERIOUS if serious else GENERAL
    return _dated(category, dt.date.fromisoformat(decided), authority, today, enterprise)


def black_list_rule(row: tuple[str, ...], today: dt.date, enterprise: bool) -> RepairRule:
    # 名单名称, 案号/文号, 认定单位/执行法院, 执行依据文号, 失信行为具体情形, 履行情况,
    # 列入(发布)日期, 当前状态, 移出日期
    name, unit, listed, status = row[0], row[2], row[6], row[7]
    if name in COURT_LISTS:
        return RepairRule(
            status="not_repairable",
            category=name,
            reason=f"{name}信息由人民法院在被执行人履行义务后移出，不通过信用修复办理。",
            where=(f"执行法院：{unit}",),
        )
    if status == "已移出":
        return RepairRule(status="not_repairable", category=name, reason="该名单信息已移出。")
    return _dated(SERIOUS, dt.date.fromisoformat(listed), unit, today, enterprise)


def rule_for(
    section: str, row: tuple[str, ...], today: dt.date, enterprise: bool = False
) -> RepairRule | None:
    """The rule the platform sends for this record (``enterprise``: the subject is a legal
    person, whose representative also brings 法定代表人身份证明), or None when it has none."""
    if section == "admin_penalty":
        return penalty_rule(row, today, enterprise)
    if section == "black_list":
        return black_list_rule(row, today, enterprise)
    return None
