"""Drivers are chosen by name in config; each lives in its own module, imported lazily."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, TypeVar

from devices.base import NotSupported
from devices.idcard.reader import IdCardReader
from devices.printers.base import DocumentPrinter, ReceiptPrinter

READERS = {"simulated": "devices.idcard.simulated:SimulatedReader"}
RECEIPT_PRINTERS = {"simulated": "devices.printers.simulated:SimulatedReceiptPrinter"}
DOCUMENT_PRINTERS = {"simulated": "devices.printers.simulated:SimulatedDocumentPrinter"}

DeviceT = TypeVar("DeviceT")


def _load(
    table: Mapping[str, str], name: str, options: Mapping[str, Any], base: type[DeviceT]
) -> DeviceT:
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
    return _load(READERS, name, options, IdCardReader)


def load_receipt_printer(name: str, options: Mapping[str, Any]) -> ReceiptPrinter:
    return _load(RECEIPT_PRINTERS, name, options, ReceiptPrinter)


def load_document_printer(name: str, options: Mapping[str, Any]) -> DocumentPrinter:
    return _load(DOCUMENT_PRINTERS, name, options, DocumentPrinter)
