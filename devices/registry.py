"""Drivers are chosen by name in config; each lives in its own module, imported lazily."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from devices.base import NotSupported
from devices.idcard.reader import IdCardReader
from devices.printers.base import DocumentPrinter, ReceiptPrinter

READERS = {
    "simulated": "devices.idcard.simulated:SimulatedReader",
    "pcsc": "devices.idcard.pcsc:PcscReader",
    "sdtapi": "devices.idcard.sdtapi:SdtapiReader",
}
RECEIPT_PRINTERS = {
    "simulated": "devices.printers.simulated:SimulatedReceiptPrinter",
    "escpos": "devices.printers.escpos:EscposReceiptPrinter",
}
DOCUMENT_PRINTERS = {
    "simulated": "devices.printers.simulated:SimulatedDocumentPrinter",
    "cups": "devices.printers.cups:CupsDocumentPrinter",
}


def _load(table: Mapping[str, str], name: str, options: Mapping[str, Any], base: type[Any]) -> Any:
    if name not in table:
        raise NotSupported(f"unknown driver {name!r}", f"choose one of {sorted(table)}")
    module_name, class_name = table[name].split(":")
    module = importlib.import_module(module_name)
    usable, why = module.is_usable()
    if not usable:
        raise NotSupported(f"driver {name!r} cannot run here: {why}")
    device = getattr(module, class_name).from_options(options)
    if not isinstance(device, base):
        raise TypeError(f"{table[name]} is not a {base.__name__}")
    return device


def load_reader(name: str, options: Mapping[str, Any]) -> IdCardReader:
    device: IdCardReader = _load(READERS, name, options, IdCardReader)
    return device


def load_receipt_printer(name: str, options: Mapping[str, Any]) -> ReceiptPrinter:
    device: ReceiptPrinter = _load(RECEIPT_PRINTERS, name, options, ReceiptPrinter)
    return device


def load_document_printer(name: str, options: Mapping[str, Any]) -> DocumentPrinter:
    device: DocumentPrinter = _load(DOCUMENT_PRINTERS, name, options, DocumentPrinter)
    return device
