"""How a credit report is shown: in China time, with the link that verifies it.

The report itself is the contract's ``CreditReport`` (``kiosk.contract``): the client decodes
it from the platform's reply, validated, and the screens and documents read it as it is.
"""

from __future__ import annotations

import datetime as dt

from kiosk.contract import CreditReport

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
"""Times shown or printed are China Standard Time, whatever the terminal's clock zone."""


def display_time(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def verify_url(base_url: str, report: CreditReport) -> str:
    """What the receipt's QR code opens: the platform's verification page for this report."""
    return f"{base_url.rstrip('/')}/api/v1/verify/{report.report_no}?code={report.verify_code}"
