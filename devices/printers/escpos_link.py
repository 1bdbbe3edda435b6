"""How the kiosk talks to a thermal printer: a parsed ``connection`` and an open ``Link``.

python-escpos provides the connectors (``Network``, ``Usb``, ``Serial``); only their ``_raw``
and ``_read`` are used, with a timeout set on the underlying socket / USB device / serial
port before each call. Two quirks of python-escpos 3.1 are handled here: importing it calls
``logging.basicConfig()`` and leaves a temporary directory behind, and ``Network.open`` leaks
its socket when the connection fails, so TCP connections are made here and handed to it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devices.base import NotFound, Offline

log = logging.getLogger(__name__)

DRAIN_S = 0.005


def escpos_installed() -> tuple[bool, str]:
    if importlib.util.find_spec("escpos") is None:
        return False, "python-escpos is not installed"
    return True, "python-escpos is installed"


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


# --- python-escpos connectors, used thinly ---

_CONNECTOR_MODULES = {"tcp": "network", "usb": "usb", "serial": "serial"}
_CONNECTOR_NEEDS = {"usb": "pyusb", "serial": "pyserial"}
_import_lock = threading.Lock()


@functools.cache
def _connector_module(kind: str) -> Any:
    """Import one python-escpos connector module, without its import-time side effects.

    python-escpos 3.1 calls ``logging.basicConfig()`` when imported (fixed upstream later) and
    leaves a temporary directory holding a pickle cache: the root logger gets a stand-in
    handler for the import, and the cache directory goes once the import is done.
    """
    with _import_lock:
        root = logging.getLogger()
        stand_in = None if root.handlers else logging.NullHandler()
        if stand_in is not None:
            root.addHandler(stand_in)
        try:
            module = importlib.import_module(f"escpos.printer.{_CONNECTOR_MODULES[kind]}")
            capabilities = importlib.import_module("escpos.capabilities")
        finally:
            if stand_in is not None:
                root.removeHandler(stand_in)
        pickle_dir = str(getattr(capabilities, "pickle_dir", ""))
        own_dir = "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ
        if own_dir and pickle_dir.startswith(tempfile.gettempdir() + os.sep):
            shutil.rmtree(pickle_dir, ignore_errors=True)
    return module


def connector_usable(kind: str) -> tuple[bool, str]:
    """Whether a connection of this kind can be opened here, and if not, why."""
    usable, why = escpos_installed()
    if not usable:
        return usable, why
    module = _connector_module(kind)
    if not module.is_usable():
        need = _CONNECTOR_NEEDS.get(kind, "a library")
        return False, f"{kind} receipt printers need {need}: install taihaoban-kiosk[hardware]"
    return True, f"{kind} connector ready"


def is_timeout(error: BaseException) -> bool:
    """Socket, pyusb and pyserial timeouts, told apart from real I/O failures."""
    return isinstance(error, TimeoutError) or "Timeout" in type(error).__name__


class Link:
    """One open connection to the printer: bytes out, bytes in, each with a timeout."""

    def __init__(self, connector: Any, endpoint: Endpoint) -> None:
        self._connector = connector
        self._endpoint = endpoint

    def _set_timeout(self, seconds: float) -> None:
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

    def send(self, data: bytes, timeout: float) -> None:
        """Send everything or raise TimeoutError / OSError."""
        self._set_timeout(timeout)
        self._connector._raw(data)

    def receive(self, timeout: float) -> bytes:
        """Whatever the printer sent within ``timeout``: b"" when it said nothing."""
        self._set_timeout(timeout)
        try:
            data = bytes(self._connector._read())
        except OSError as error:
            if is_timeout(error):
                return b""
            raise
        if not data and self._endpoint.kind == "tcp":
            raise ConnectionResetError("the printer closed the connection")
        return data

    def drain(self) -> None:
        """Drop late replies, so the next reply answers the next query."""
        for _ in range(16):
            if not self.receive(DRAIN_S):
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
    module = _connector_module(endpoint.kind)
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
