"""Credit reports for tests, built from the contract's section list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kiosk.contract import SECTIONS, CreditReport

ID_MASKED = "3709**********123X"


ENTERPRISE_NAME = "新泰市测试商贸有限公司"
ENTERPRISE_USCC = "91350100M000100Y43"


def make_report(
    rows: int | Mapping[str, int] = 0,
    name: str = "测试员甲",
    default: int = 0,
    uscc: str = "",
) -> CreditReport:
    """Every section of the contract. ``rows`` is the row count of every section, or per
    section key (``default`` for the keys it leaves out). Cells read ``<key>-<n>-<column>``;
    the basic-information section has at most two rows (name, masked number). ``uscc``: an
    enterprise's report (``name`` the enterprise's)."""
    body: dict[str, tuple[tuple[str, ...], ...]] = {}
    for spec in SECTIONS:
        count = rows if isinstance(rows, int) else rows.get(spec.key, default)
        if spec.key == "basic":
            body[spec.key] = (("姓名", name), ("证件号码", ID_MASKED))[:count]
        else:
            body[spec.key] = tuple(
                tuple(f"{spec.key}-{n}-{column}" for column in spec.columns) for n in range(count)
            )
    return CreditReport.from_rows(
        report_no="XT20261124000001",
        verify_code="ABCD1234",
        issued_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC),
        subject_name=name,
        subject_id_masked=ID_MASKED,
        subject_uscc=uscc,
        rows=body,
    )
