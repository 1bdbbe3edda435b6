"""How a credit report is shown: in China time, with the link that verifies it.

The report itself is the contract's ``CreditReport`` (``kiosk.contract``): the client decodes
it from the platform's reply, validated, and the screens and documents read it as it is.
"""

from __future__ import annotations

import datetime as dt

from kiosk.contract import CreditReport

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
"""Times shown or printed are China Standard Time, whatever the terminal's clock zone."""
PERSON_TITLE = "个人公共信用信息报告"
ENTERPRISE_TITLE = "企业公共信用信息报告"


def report_title(report: CreditReport) -> str:
    """What the report is called on screen and paper (an enterprise's or a person's)."""
    return ENTERPRISE_TITLE if report.is_enterprise else PERSON_TITLE


def subject_facts(report: CreditReport, person_name: str) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs that name the report's subject: an enterprise by its name and
    统一社会信用代码 (public registration data, never masked), a person by ``person_name``
    (masked or not, as the screen or paper needs) and the masked ID number."""
    if report.is_enterprise:
        return (("企业名称", report.subject_name), ("统一社会信用代码", report.subject.uscc))
    return (("信息主体", person_name), ("身份证号码", report.subject_id_masked))


def display_time(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def verify_url(base_url: str, report: CreditReport) -> str:
    """What the receipt's QR code opens: the platform's verification page for this report."""
    return f"{base_url.rstrip('/')}/api/v1/verify/{report.report_no}?code={report.verify_code}"
