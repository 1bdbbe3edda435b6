"""Drivers are chosen by name in config; each lives in its own module, imported lazily.

Each driver class declares ``options_type``, the frozen dataclass of its options (the kiosk
converts the config table into it), and builds itself with ``from_options(options)``; a
document printer also gets the store for the jobs it keeps through a printer fault
(``from_options(options, kept_jobs)``).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from devices.base import NotSupported
from devices.camera.base import Camera
from devices.idcard.reader import IdCardReader
from devices.printers.base import DocumentPrinter, ReceiptPrinter
from devices.printers.kept_jobs import KeptJobStore

READERS = {
    "simulated": "devices.idcard.simulated:SimulatedReader",
    "pcsc": "devices.idcard.pcsc:PcscReader",
    "sdtapi": "devices.idcard.sdtapi:SdtapiReader",
}
RECEIPT_PRINTERS = {
    "simulated": "devices.printers.simulated:SimulatedReceiptPrinter",
    "escpos": "devices.printers.escpos:EscposReceiptPrinter",
}
CAMERAS = {
    "simulated": "devices.camera.simulated:SimulatedCamera",
    "v4l2": "devices.camera.v4l2:V4l2Camera",
}
DOCUMENT_PRINTERS = {
    "simulated": "devices.printers.simulated:SimulatedDocumentPrinter",
    "cups": "devices.printers.cups:CupsDocumentPrinter",
}


def _driver(table: Mapping[str, str], name: str) -> tuple[Any, Any]:
    """The driver's module and class; NotSupported for a name the table does not know."""
    if name not in table:
        raise NotSupported(f"unknown driver {name!r}", f"choose one of {sorted(table)}")
    module_name, class_name = table[name].split(":")
    module = importlib.import_module(module_name)
    return module, getattr(module, class_name)


def options_type(table: Mapping[str, str], name: str) -> type[Any]:
    """The options dataclass of driver ``name`` in ``table`` (e.g. ``READERS``)."""
    options: type[Any] = _driver(table, name)[1].options_type
    return options


def _load(
    table: Mapping[str, str], name: str, options: object, base: type[Any], *context: object
) -> Any:
    module, driver = _driver(table, name)
    if not isinstance(options, driver.options_type):
        raise TypeError(f"driver {name!r} takes {driver.options_type.__name__}, not {options!r}")
    usable, why = module.is_usable()
    if not usable:
        raise NotSupported(f"driver {name!r} cannot run here: {why}")
    device = driver.from_options(options, *context)
    if not isinstance(device, base):
        raise TypeError(f"{table[name]} is not a {base.__name__}")
    return device


def load_reader(name: str, options: object) -> IdCardReader:
    device: IdCardReader = _load(READERS, name, options, IdCardReader)
    return device


def load_receipt_printer(name: str, options: object) -> ReceiptPrinter:
    device: ReceiptPrinter = _load(RECEIPT_PRINTERS, name, options, ReceiptPrinter)
    return device


def load_document_printer(name: str, options: object, kept_jobs: KeptJobStore) -> DocumentPrinter:
    device: DocumentPrinter = _load(DOCUMENT_PRINTERS, name, options, DocumentPrinter, kept_jobs)
    return device


def load_camera(name: str, options: object) -> Camera:
    device: Camera = _load(CAMERAS, name, options, Camera)
    return device
