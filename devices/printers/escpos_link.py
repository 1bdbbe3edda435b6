"""How the kiosk talks to a thermal printer: a parsed ``connection`` and an open ``Link``.

python-escpos provides the connectors (``Network``, ``Usb``, ``Serial``: ``open``, ``close``,
``query_status``); the job is prepared beforehand (``escpos_encoding``) and sent in one piece.
``Network.open`` in python-escpos 3.1 leaks its socket when the connection fails, so TCP
connections are made here and handed to the connector.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devices.base import NotFound, Offline
from devices.printers.escpos_library import escpos_installed, escpos_module

log = logging.getLogger(__name__)

DRAIN_S = 0.005


# --- where the printer is ---


@dataclass(frozen=True)
class Endpoint:
    """A parsed ``connection`` option."""

    kind: str
    """``tcp``, ``usb`` or ``serial``."""
    address: str
    """The connection as configured, for health reports and logs (holds no secret)."""
    host: str = ""
    port: int = 9100
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01
    device: str = ""
    baudrate: int = 9600


def _query_int(params: dict[str, list[str]], key: str, default: int, base: int = 10) -> int:
    values = params.pop(key, None)
    if not values:
        return default
    try:
        return int(values[-1], base)
    except ValueError:
        raise ValueError(f"connection option {key}={values[-1]!r} is not a number") from None


def parse_endpoint(url: str) -> Endpoint:
    """``tcp://host[:port]``, ``usb://VID:PID[?in_ep=..&out_ep=..]``, ``serial:///dev/x[?baudrate=..]``."""
    parts = urlsplit(url)
    params = parse_qs(parts.query)
    if parts.scheme == "tcp":
        if not parts.hostname or parts.path not in ("", "/") or params:
            raise ValueError(f"connection {url!r}: expected tcp://host[:port]")
        return Endpoint("tcp", url, host=parts.hostname, port=parts.port or 9100)
    if parts.scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vendor, product = (int(i, 16) for i in ids)
        except ValueError:
            raise ValueError(f"connection {url!r}: expected usb://VID:PID in hex") from None
        in_ep = _query_int(params, "in_ep", 0x82, 16)
        out_ep = _query_int(params, "out_ep", 0x01, 16)
        if params:
            raise ValueError(f"connection {url!r}: unknown options {sorted(params)}")
        return Endpoint(
            "usb", url, vendor_id=vendor, product_id=product, in_ep=in_ep, out_ep=out_ep
        )
    if parts.scheme == "serial":
        if not parts.path.startswith("/dev/"):
            raise ValueError(f"connection {url!r}: expected serial:///dev/<port>")
        baudrate = _query_int(params, "baudrate", 9600)
        if params:
            raise ValueError(f"connection {url!r}: unknown options {sorted(params)}")
        return Endpoint("serial", url, device=parts.path, baudrate=baudrate)
    raise ValueError(f"connection {url!r}: the scheme must be tcp, usb or serial")


# --- python-escpos connectors ---

_CONNECTOR_MODULES = {"tcp": "printer.network", "usb": "printer.usb", "serial": "printer.serial"}
_CONNECTOR_NEEDS = {"usb": "pyusb", "serial": "pyserial"}


def connector_usable(kind: str) -> tuple[bool, str]:
    """Whether a connection of this kind can be opened here, and if not, why."""
    usable, why = escpos_installed()
    if not usable:
        return usable, why
    if not escpos_module(_CONNECTOR_MODULES[kind]).is_usable():
        need = _CONNECTOR_NEEDS.get(kind, "a library")
        return False, f"{kind} receipt printers need {need}: install taihaoban-kiosk[hardware]"
    return True, f"{kind} connector ready"


def is_timeout(error: BaseException) -> bool:
    """Socket, pyusb and pyserial timeouts, told apart from real I/O failures."""
    return isinstance(error, TimeoutError) or "Timeout" in type(error).__name__


class Link:
    """One open connection to the printer: a job out, status replies in, each with a timeout."""

    def __init__(self, connector: Any, endpoint: Endpoint) -> None:
        self._connector = connector
        self._endpoint = endpoint

    def _set_timeout(self, seconds: float) -> None:
        # python-escpos takes a timeout only when a connector is made: set each call's here.
        seconds = max(seconds, 0.001)
        device = self._connector.device
        if self._endpoint.kind == "tcp":
            device.settimeout(seconds)
        elif self._endpoint.kind == "usb":
            self._connector.timeout = max(1, int(seconds * 1000))
            device.default_timeout = max(1, int(seconds * 1000))
        else:
            device.timeout = seconds
            device.write_timeout = seconds

    def _replied(self, read: Any) -> bytes:
        """What ``read()`` returned: b"" when the printer said nothing in time."""
        try:
            data = bytes(read())
        except OSError as error:
            if is_timeout(error):
                return b""
            raise
        if not data and self._endpoint.kind == "tcp":
            raise ConnectionResetError("the printer closed the connection")
        return data

    def send(self, job: bytes, timeout: float) -> None:
        """Send the whole prepared job or raise TimeoutError / OSError."""
        self._set_timeout(timeout)
        self._connector._raw(job)  # python-escpos's documented way to send a prepared job

    def ask(self, status_query: bytes, timeout: float) -> bytes:
        """Send a real-time status query; the reply within ``timeout``, b"" for silence."""
        self._set_timeout(timeout)
        return self._replied(lambda: self._connector.query_status(status_query))

    def drain(self) -> None:
        """Drop late replies, so the next reply answers the next query."""
        for _ in range(16):
            self._set_timeout(DRAIN_S)
            # python-escpos has no public read that does not send a query first.
            if not self._replied(self._connector._read):
                return

    def close(self) -> None:
        try:
            self._connector.close()
        except Exception:
            log.debug("closing the receipt printer connection failed", exc_info=True)


def _open_tcp(module: Any, endpoint: Endpoint, timeout: float) -> Link:
    """python-escpos 3.1's ``Network.open`` leaks its socket when the connection fails (a
    ResourceWarning per attempt), so the socket is connected here and handed to it."""
    try:
        sock = socket.create_connection((endpoint.host, endpoint.port), timeout=timeout)
    except OSError as error:
        log.info("receipt printer %s: cannot connect (%s)", endpoint.address, type(error).__name__)
        raise Offline(
            "receipt printer does not answer on the network",
            f"check the printer's power and network cable, and that it is at {endpoint.address}",
        ) from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connector = module.Network(endpoint.host, endpoint.port, timeout=timeout)
    connector.device = sock
    return Link(connector, endpoint)


def open_link(endpoint: Endpoint, timeout: float) -> Link:
    """Connect through python-escpos; Offline/NotFound (with a hint) when that fails."""
    module = escpos_module(_CONNECTOR_MODULES[endpoint.kind])
    if endpoint.kind == "tcp":
        return _open_tcp(module, endpoint, timeout)
    if endpoint.kind == "usb":
        connector = module.Usb(
            endpoint.vendor_id,
            endpoint.product_id,
            timeout=max(1, int(timeout * 1000)),
            in_ep=endpoint.in_ep,
            out_ep=endpoint.out_ep,
        )
    else:
        connector = module.Serial(endpoint.device, baudrate=endpoint.baudrate, timeout=timeout)
    try:
        connector.open()
    except Exception as error:
        log.info("receipt printer %s: cannot connect (%s)", endpoint.address, type(error).__name__)
        raise NotFound(
            f"receipt printer not found on {endpoint.kind}",
            f"check the printer's power and cable ({endpoint.address})",
        ) from None
    return Link(connector, endpoint)
