"""The public credit information report as the platform sends it, validated.

``parse_report`` accepts the JSON payload of ``GET /api/v1/reports/person`` and returns a
``CreditReport`` or raises ``MalformedReport`` naming what is wrong (never the values).
Every section is a table: its columns are fixed by the contract (``SECTIONS``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from devices.idcard.idnumber import mask_name

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
"""Times shown or printed are China Standard Time, whatever the terminal's clock zone."""


def display_time(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


class MalformedReport(ValueError):
    """The platform's reply does not match the report schema."""


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    columns: tuple[str, ...]


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("basic", "基础信息", ("项目", "内容")),
    SectionSpec(
        "admin_license",
        "行政许可",
        ("行政许可决定文书号", "许可类别", "许可内容", "许可决定日期", "有效期至", "许可机关"),
    ),
    SectionSpec(
        "admin_penalty",
        "行政处罚",
        ("行政处罚决定书文号", "违法行为类型", "处罚类别", "处罚内容", "处罚决定日期", "处罚机关"),
    ),
    SectionSpec(
        "red_list", "守信激励/红名单", ("名单名称", "列入事由", "认定单位", "列入日期", "有效期至")
    ),
    SectionSpec(
        "black_list",
        "失信惩戒/黑名单",
        ("名单名称", "案号/文号", "认定单位", "列入日期", "当前状态"),
    ),
    SectionSpec(
        "commitment", "信用承诺", ("承诺类型", "承诺事项", "承诺日期", "受理单位", "履约状态")
    ),
    SectionSpec("honors", "荣誉与表彰", ("荣誉名称", "授予单位", "授予日期", "级别")),
    SectionSpec("volunteer", "志愿服务", ("服务项目", "服务时长(小时)", "服务日期", "组织单位")),
    SectionSpec("tax_credit", "纳税信用", ("评价年度", "纳税信用等级", "评价单位")),
    SectionSpec("repair", "信用修复记录", ("修复事项", "原记录类型", "修复日期", "修复单位")),
    SectionSpec("other", "其他", ("事项", "内容", "日期", "来源单位")),
)
SECTION_BY_KEY = {spec.key: spec for spec in SECTIONS}

_REPORT_NO = re.compile(r"[A-Z0-9]{8,32}")
_VERIFY_CODE = re.compile(r"[A-Z0-9]{6,16}")
_ID_MASKED = re.compile(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]")
MAX_ROWS_PER_SECTION = 5000
MAX_CELL_CHARS = 500


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, repr=False)
class CreditReport:
    report_no: str
    verify_code: str
    issued_at: dt.datetime
    subject_name: str
    subject_id_masked: str
    sections: tuple[Section, ...]

    def __repr__(self) -> str:
        return f"CreditReport({self.report_no}, {mask_name(self.subject_name)})"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def count(self, key: str) -> int:
        return len(self.section(key).rows)

    @property
    def on_red_list(self) -> bool:
        return self.count("red_list") > 0

    @property
    def on_black_list(self) -> bool:
        return self.count("black_list") > 0


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise MalformedReport(what)


def _text(value: Any, what: str, pattern: re.Pattern[str] | None = None) -> str:
    _require(isinstance(value, str), f"{what} is not a string")
    _require(0 < len(value) <= MAX_CELL_CHARS, f"{what} is empty or too long")
    if pattern is not None:
        _require(pattern.fullmatch(value) is not None, f"{what} has the wrong format")
    return str(value)


def _section(payload: Any, spec: SectionSpec) -> Section:
    where = f"section {spec.key}"
    _require(isinstance(payload, dict), f"{where} is not an object")
    _require(set(payload) == {"key", "title", "columns", "rows"}, f"{where} has wrong fields")
    _require(payload["key"] == spec.key, f"{where} is out of order")
    _require(payload["title"] == spec.title, f"{where} has the wrong title")
    _require(payload["columns"] == list(spec.columns), f"{where} has the wrong columns")
    rows = payload["rows"]
    _require(isinstance(rows, list), f"{where} rows is not a list")
    _require(len(rows) <= MAX_ROWS_PER_SECTION, f"{where} has too many rows")
    parsed: list[tuple[str, ...]] = []
    for row in rows:
        _require(isinstance(row, list), f"{where} has a row that is not a list")
        _require(len(row) == len(spec.columns), f"{where} has a row of the wrong width")
        parsed.append(tuple(_text(cell, f"{where} cell") for cell in row))
    return Section(spec.key, spec.title, spec.columns, tuple(parsed))


def parse_report(payload: Any) -> CreditReport:
    """Validate the platform's report JSON (already decoded) into a ``CreditReport``."""
    _require(isinstance(payload, dict), "report is not an object")
    expected = {"report_no", "verify_code", "issued_at", "subject", "sections"}
    _require(set(payload) == expected, "report has missing or unknown fields")
    subject = payload["subject"]
    _require(isinstance(subject, dict), "subject is not an object")
    _require(set(subject) == {"name", "id_number_masked"}, "subject has wrong fields")
    issued_text = _text(payload["issued_at"], "issued_at")
    try:
        issued_at = dt.datetime.fromisoformat(issued_text)
    except ValueError:
        raise MalformedReport("issued_at is not an ISO 8601 time") from None
    _require(issued_at.tzinfo is not None, "issued_at has no time zone")
    sections = payload["sections"]
    _require(isinstance(sections, list), "sections is not a list")
    _require(len(sections) == len(SECTIONS), "report does not have every section")
    return CreditReport(
        report_no=_text(payload["report_no"], "report_no", _REPORT_NO),
        verify_code=_text(payload["verify_code"], "verify_code", _VERIFY_CODE),
        issued_at=issued_at,
        subject_name=_text(subject["name"], "subject name"),
        subject_id_masked=_text(subject["id_number_masked"], "subject id", _ID_MASKED),
        sections=tuple(_section(s, spec) for s, spec in zip(sections, SECTIONS, strict=True)),
    )


def report_to_payload(report: CreditReport) -> dict[str, Any]:
    """The JSON payload ``parse_report`` accepts (the sandbox serves this shape)."""
    return {
        "report_no": report.report_no,
        "verify_code": report.verify_code,
        "issued_at": report.issued_at.isoformat(),
        "subject": {"name": report.subject_name, "id_number_masked": report.subject_id_masked},
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "columns": list(s.columns),
                "rows": [list(r) for r in s.rows],
            }
            for s in report.sections
        ],
    }


def verify_url(base_url: str, report: CreditReport) -> str:
    """What the receipt's QR code opens: the platform's verification page for this report."""
    return f"{base_url.rstrip('/')}/api/v1/verify/{report.report_no}?code={report.verify_code}"
