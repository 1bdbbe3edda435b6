"""Credit reports for tests, built from the contract's section list."""

from __future__ import annotations

import datetime as dt

from kiosk.report_model import SECTIONS, CreditReport, Section


def make_report(rows_per_section: int = 0, name: str = "测试员甲") -> CreditReport:
    sections = []
    for spec in SECTIONS:
        if spec.key == "basic":
            rows = (("姓名", name), ("证件号码", "3709**********123X"))
        else:
            rows = tuple(
                tuple(f"{column}{n}" for column in spec.columns) for n in range(rows_per_section)
            )
        sections.append(Section(spec.key, spec.title, spec.columns, rows))
    return CreditReport(
        report_no="XT20261124000001",
        verify_code="ABCD1234",
        issued_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC),
        subject_name=name,
        subject_id_masked="3709**********123X",
        sections=tuple(sections),
    )
