"""The way to the credit platform, one step at a time, so the failing step names the cause:
DNS, TCP, TLS (certificate and its fingerprint), a signed ping (credential and clock
accepted), latency and clock skew."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from kiosk.config import PlatformSettings, is_loopback
from kiosk.diagnostics.checks import Area, Check, Fact, Status
from kiosk.diagnostics.context import Diagnostics
from kiosk.platform.client import X509_EXPIRED, PlatformClient, PlatformError, TerminalAuthFailed
from kiosk.platform.signing import MAX_SKEW_S, SKEW_WARN_S

AREA = Area.PLATFORM
SLOW_MS = 1500
"""A ping slower than this makes every resident wait: worth a look."""
CERT_EXPIRY_WARN_DAYS = 30


def _ms(since: float) -> int:
    return round((time.perf_counter() - since) * 1000)


def platform_checks(diag: Diagnostics, clock: Callable[[], float] = time.time) -> list[Check]:
    """Each step runs only if the one before it passed; the rest are SKIPPED."""
    settings = diag.platform
    if settings is None or diag.secret is None:
        return [Check(AREA, "dns", Status.SKIPPED, "没有配置平台地址（[platform] 一节）")]
    url = urlsplit(settings.base_url)
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    checks = [_dns(host, port)]
    if checks[-1].status is Status.OK:
        checks.append(_tcp(host, port, settings.connect_timeout_s))
    if checks[-1].status is Status.OK:
        checks.append(_tls(url.scheme, host, port, settings))
    if checks[-1].status is not Status.FAIL:
        checks += _signed_ping(diag.terminal_id, diag.secret, settings, clock)
    steps = ("dns", "tcp", "tls", "signed_ping", "latency", "clock_skew")
    done = {check.name for check in checks}
    checks += [
        Check(AREA, s, Status.SKIPPED, "前一步未通过，未检查") for s in steps if s not in done
    ]
    return checks


def _dns(host: str, port: int) -> Check:
    started = time.perf_counter()
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        return Check(
            AREA,
            "dns",
            Status.FAIL,
            f"域名解析失败：{host}",
            detail=str(error),
            hint="check the DNS servers of the hall network (resolv.conf) and platform.base_url",
            facts={"host": host},
        )
    addresses = sorted({str(info[4][0]) for info in found})
    facts: dict[str, Fact] = {"host": host, "addresses": ", ".join(addresses)}
    facts["dns_ms"] = _ms(started)
    return Check(AREA, "dns", Status.OK, f"域名解析正常：{host} → {addresses[0]}", facts=facts)


def _tcp(host: str, port: int, timeout: float) -> Check:
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            elapsed = _ms(started)
    except OSError as error:
        return Check(
            AREA,
            "tcp",
            Status.FAIL,
            f"无法连接平台 {host}:{port}",
            detail=f"{type(error).__name__}: {error}",
            hint="check the network cable, the hall firewall (outgoing port) and whether the "
            "platform is up",
            facts={"port": port},
        )
    return Check(
        AREA,
        "tcp",
        Status.OK,
        f"TCP 连接正常（{elapsed} 毫秒）",
        facts={"port": port, "tcp_ms": elapsed},
    )


def _tls(scheme: str, host: str, port: int, settings: PlatformSettings) -> Check:
    if scheme != "https":
        if is_loopback(host):
            return Check(
                AREA,
                "tls",
                Status.OK,
                "本机平台（演示或测试）使用明文 HTTP",
                detail="plain HTTP is allowed on loopback only (demo, sandbox)",
                facts={"scheme": scheme},
            )
        return Check(
            AREA,
            "tls",
            Status.FAIL,
            "平台地址不是 HTTPS：数据未加密",
            hint="set platform.base_url to the platform's https:// address",
            facts={"scheme": scheme},
        )
    pinned = settings.ca_file is not None
    # The client's trust: the pinned CA, else the bundle requests uses (not the system's).
    context = ssl.create_default_context(
        cafile=str(settings.ca_file or requests.utils.DEFAULT_CA_BUNDLE_PATH)
    )
    try:
        with (
            socket.create_connection((host, port), timeout=settings.connect_timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
            not_after = (tls.getpeercert() or {}).get("notAfter")
            version = tls.version()
    except ssl.SSLCertVerificationError as error:
        trusted = f"the pinned CA {settings.ca_file}" if pinned else "the certifi CA bundle"
        if error.verify_code == X509_EXPIRED:
            return Check(
                AREA,
                "tls",
                Status.FAIL,
                "平台证书已过期",
                detail=f"{error.verify_message}; trusted: {trusted}",
                hint="tell the platform operators their certificate has expired; check the "
                "terminal's clock (NTP): a clock far ahead makes a certificate look expired",
            )
        return Check(
            AREA,
            "tls",
            Status.FAIL,
            "平台证书验证失败" + ("：不是固定的平台 CA 签发的" if pinned else ""),
            detail=f"{error.verify_message or error}; trusted: {trusted}",
            hint="check the terminal's clock; a hall proxy that breaks TLS must be bypassed "
            "for the platform; a new platform CA goes in platform.ca_file",
        )
    except (OSError, ssl.SSLError) as error:
        return Check(AREA, "tls", Status.FAIL, "TLS 握手失败", detail=str(error))
    fingerprint = hashlib.sha256(der or b"").hexdigest()
    expires = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(str(not_after)), dt.UTC)
    days_left = (expires - dt.datetime.now(dt.UTC)).days
    facts: dict[str, Fact] = {
        "tls_version": version,
        "cert_sha256": fingerprint,
        "cert_expires": expires.date().isoformat(),
        "pinned_ca": str(settings.ca_file) if pinned else None,
    }
    detail = (
        f"verified against the pinned CA {settings.ca_file}"
        if pinned
        else "no CA is pinned (platform.ca_file): verified against the certifi CA bundle"
    )
    if days_left < CERT_EXPIRY_WARN_DAYS:
        return Check(
            AREA,
            "tls",
            Status.WARN,
            f"平台证书 {days_left} 天后过期",
            detail=detail,
            hint="tell the platform operators",
            facts=facts,
        )
    pin_text = "平台 CA 已固定" if pinned else "未固定平台 CA"
    summary = f"证书有效至 {expires:%Y-%m-%d}，{pin_text}"
    if not pinned and not is_loopback(host):
        # Any CA in the bundle could then vouch for the platform (ARCHITECTURE.md: pinned).
        hint = "put the platform's CA certificate in platform.ca_file"
        return Check(AREA, "tls", Status.WARN, summary, detail=detail, hint=hint, facts=facts)
    return Check(AREA, "tls", Status.OK, summary, detail=detail, facts=facts)


def _signed_ping(
    terminal_id: str, secret: bytes, settings: PlatformSettings, clock: Callable[[], float]
) -> list[Check]:
    with PlatformClient(
        settings.base_url,
        terminal_id,
        secret,
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
        retries=0,
        ca_file=settings.ca_file,
    ) as client:
        sent_at = clock()
        started = time.perf_counter()
        try:
            ping, response = client.terminal_ping()
        except TerminalAuthFailed as error:
            return [
                Check(
                    AREA,
                    "signed_ping",
                    Status.FAIL,
                    error.technician_text,
                    detail=str(error),
                    hint=error.hint,
                )
            ]
        except PlatformError as error:
            return [
                Check(
                    AREA,
                    "signed_ping",
                    Status.FAIL,
                    "平台没有正常应答",
                    detail=f"{error.code}: {error}",
                    hint="the platform is down or refusing: check its status with the operators",
                )
            ]
        latency_ms = _ms(started)
        received_at = clock()
    ping_check = Check(
        AREA,
        "signed_ping",
        Status.OK,
        "平台接受本终端的签名请求",
        facts={"terminal_id": ping.terminal_id},
    )
    latency_status = Status.WARN if latency_ms > SLOW_MS else Status.OK
    latency = Check(
        AREA,
        "latency",
        latency_status,
        f"往返 {latency_ms} 毫秒",
        hint="a slow network makes every resident wait" if latency_status is Status.WARN else "",
        facts={"latency_ms": latency_ms},
    )
    server = ping.server_time.timestamp()
    date_header = response.headers.get("Date")
    # The server's clock was read between sending and receiving: compare with the middle.
    skew_s = (sent_at + received_at) / 2 - server
    facts: dict[str, Fact] = {
        "skew_s": round(skew_s, 1),
        "server_time": ping.server_time.isoformat(),
    }
    if date_header:
        facts["server_date_header"] = date_header
        facts["skew_by_date_header_s"] = round(
            received_at - email.utils.parsedate_to_datetime(date_header).timestamp()
        )
    direction = "快" if skew_s > 0 else "慢"
    text = f"终端时钟比平台{direction} {abs(skew_s):.1f} 秒"
    if abs(skew_s) > MAX_SKEW_S:
        skew = Check(AREA, "clock_skew", Status.FAIL, text, hint="set the clock (NTP)", facts=facts)
    elif abs(skew_s) > SKEW_WARN_S:
        hint = f"the platform refuses requests more than {MAX_SKEW_S} s off: check NTP"
        skew = Check(AREA, "clock_skew", Status.WARN, text, hint=hint, facts=facts)
    else:
        skew = Check(AREA, "clock_skew", Status.OK, text, facts=facts)
    return [ping_check, latency, skew]
