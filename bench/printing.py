"""Printing benchmarks: receipt encoding (text vs raster) and the A4 PDF (reportlab vs Chromium).

- Receipt encode time and bytes for the largest sandbox report, in kanji text mode (printer
  with a Chinese font) and raster mode (without one), on 80 mm and 58 mm paper.
- The A4 PDF of the same report built by reportlab (what the kiosk does), side by side in the
  same run with Chromium's headless print-to-pdf of the same report as HTML (Debian's
  ``chromium``; a fresh process per run, as a kiosk shelling out to it would pay). The
  ratio is Chromium's median over reportlab's.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import qrcode

from devices.printers.escpos_encoding import cjk_font, encode_receipt
from devices.printers.profiles import load_profile
from kiosk.contract import CreditReport
from kiosk.documents.receipt_layout import build_receipt
from kiosk.documents.report_pdf import (
    ISSUER,
    ISSUER_SITE,
    NOTES,
    QR_CAPTION,
    TITLE,
    build_report_pdf,
)
from kiosk.report_model import display_time
from sandbox import population

Emit = Callable[..., None]
TERMINAL_ID = "XT-BENCH"
VERIFY_URL = "https://credit.example.cn/api/v1/verify/XT20261124009999?code=BENCH123"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _largest_report() -> CreditReport:
    resident = population.richest_resident()
    issued = dt.datetime.now().astimezone()
    return population.build_report(resident, "XT20261124009999", "BENCH123", issued)


def _median_s(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_receipts(emit: Emit, report: CreditReport, runs: int = 30) -> None:
    receipt = build_receipt(
        report,
        terminal_id=TERMINAL_ID,
        printed_at=dt.datetime.now().astimezone(),
        verify_url=VERIFY_URL,
    )
    for name in ("kiosk-80-cn", "pos-80-nocjk", "pos-58-cn"):
        profile = load_profile(name)
        mode = "text" if profile.chinese_font else "raster"
        cjk_font.cache_clear()
        cold_s, _ = _median_s(
            lambda p=profile: encode_receipt(receipt, p.columns, p.chinese_font), 1
        )
        warm_s, job = _median_s(
            lambda p=profile: encode_receipt(receipt, p.columns, p.chinese_font, p.cutter),
            runs,
        )
        emit(
            "receipt_encode",
            profile=name,
            mode=mode,
            columns=profile.columns,
            bytes=len(job),
            p50_ms=round(warm_s * 1000, 2),
            first_ms=round(cold_s * 1000, 2),
            runs=runs,
            note="first_ms includes loading the CJK font" if mode == "raster" else "",
        )


def _qr_png_data_uri(data: str) -> str:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def report_html(report: CreditReport, terminal_id: str, printed_at: dt.datetime, url: str) -> str:
    """The same report as the PDF, as one HTML page for a browser to print (bench only)."""
    e = html.escape
    watermark = f"{terminal_id}&nbsp;&nbsp;{e(display_time(printed_at))}"
    facts = [
        ("信息主体", report.subject_name),
        ("身份证号码", report.subject_id_masked),
        ("报告编号", report.report_no),
        ("核验码", report.verify_code),
        ("出具时间", display_time(report.issued_at)),
        ("打印时间", display_time(printed_at)),
        ("打印终端", terminal_id),
    ]
    summary = [(s.title, f"{len(s.rows)} 条") for s in report.sections]
    summary += [
        ("红名单状态", "在列" if report.on_red_list else "未列入"),
        ("黑名单状态", "在列" if report.on_black_list else "未列入"),
    ]
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>",
        "@page { size: A4; margin: 22mm 15mm 18mm 15mm;",
        f"  @top-left {{ content: '{TITLE}'; font-size: 8.5pt; }}",
        f"  @top-right {{ content: '报告编号：{report.report_no}    核验码：{report.verify_code}';"
        "    font-size: 8.5pt; }",
        f"  @bottom-left {{ content: '{ISSUER}（{ISSUER_SITE}）'; font-size: 8.5pt; }}",
        "  @bottom-right { content: '第 ' counter(page) ' 页 / 共 ' counter(pages) ' 页';"
        "    font-size: 8.5pt; } }",
        "body { font-family: 'WenQuanYi Zen Hei', sans-serif; font-size: 9.5pt; margin: 0; }",
        "h1 { text-align: center; font-size: 22pt; font-weight: normal; margin: 0 0 6pt; }",
        "h2 { font-size: 12pt; font-weight: normal; margin: 10pt 0 4pt; break-after: avoid; }",
        "table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }",
        "th, td { border: 0.5pt solid #8c8c8c; padding: 2.5pt 3pt; vertical-align: top; }",
        "th { background: #e6ebf2; font-weight: normal; }",
        "thead { display: table-header-group; } tr { break-inside: avoid; }",
        ".wm { position: fixed; top: 45%; left: 0; width: 100%; text-align: center;"
        "  color: #dbdbdb; font-size: 22pt; transform: rotate(-35deg); z-index: -1; }",
        ".subject { display: flex; gap: 6mm; align-items: center; }",
        ".qr { text-align: center; font-size: 9pt; } .qr img { width: 32mm; }",
        "</style></head><body>",
        f"<div class='wm'>{watermark}<br><br><br>{watermark}<br><br><br>{watermark}</div>",
        f"<h1>{TITLE}</h1><p style='text-align:center'>出具机构：{ISSUER}（{ISSUER_SITE}）</p>",
        "<div class='subject'><table>",
        *(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts),
        f"</table><div class='qr'><img src='{_qr_png_data_uri(url)}'><br>{QR_CAPTION}</div></div>",
        "<h2>信息概要</h2><table><thead><tr><th>信息类别</th><th>记录条数</th></tr></thead>",
        *(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in summary),
        "</table>",
    ]
    for number, section in enumerate(report.sections, start=1):
        parts.append(f"<h2>{number}、{e(section.title)}（共 {len(section.rows)} 条）</h2>")
        if not section.rows:
            parts.append("<p>无记录</p>")
            continue
        header = "".join(f"<th>{e(c)}</th>" for c in section.columns)
        parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>")
        parts += [
            "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in section.rows
        ]
        parts.append("</tbody></table>")
    parts.append("<h2>说明</h2>")
    parts += [f"<p>{i}. {e(note)}</p>" for i, note in enumerate(NOTES, start=1)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium_pdf(chromium: str, html_text: str, work: Path) -> bytes:
    page = work / "report.html"
    out = work / "report.pdf"
    page.write_text(html_text, encoding="utf-8")
    out.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={work / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )
    return out.read_bytes()


def bench_a4(emit: Emit, report: CreditReport, runs: int = 5) -> None:
    printed_at = dt.datetime.now().astimezone()
    rows = sum(len(s.rows) for s in report.sections)
    build_report_pdf(report, terminal_id=TERMINAL_ID, printed_at=printed_at, verify_url=VERIFY_URL)
    ours_s, pdf = _median_s(
        lambda: build_report_pdf(
            report, terminal_id=TERMINAL_ID, printed_at=printed_at, verify_url=VERIFY_URL
        ),
        runs,
    )
    figures: dict[str, Any] = {
        "rows": rows,
        "reportlab_pages": len(_PAGE.findall(pdf)),
        "reportlab_bytes": len(pdf),
        "reportlab_p50_s": round(ours_s, 3),
        "runs": runs,
    }
    chromium = _chromium()
    if chromium is None:
        emit("a4_pdf_vs_chromium", **figures, chromium="not installed (make bench installs it)")
        return
    version = subprocess.run(
        [chromium, "--version"], capture_output=True, text=True, timeout=30
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-chromium-") as tmp:
        work = Path(tmp)

        def chromium_run() -> bytes:
            return _chromium_pdf(
                chromium, report_html(report, TERMINAL_ID, printed_at, VERIFY_URL), work
            )

        chromium_run()  # the first start pays for the profile directory and disk cache
        theirs_s, chromium_pdf = _median_s(chromium_run, runs)
    figures.update(
        chromium=version,
        chromium_pages=len(_PAGE.findall(chromium_pdf)),
        chromium_bytes=len(chromium_pdf),
        chromium_p50_s=round(theirs_s, 3),
        chromium_over_reportlab=round(theirs_s / ours_s, 1),
        note="chromium: one headless process per report, HTML built in the same timing",
    )
    emit("a4_pdf_vs_chromium", **figures)


def run(emit: Emit) -> None:
    report = _largest_report()
    bench_receipts(emit, report)
    bench_a4(emit, report)
