"""python-escpos, imported once and without its import-time side effects.

python-escpos 3.1 calls ``logging.basicConfig()`` when imported (fixed upstream later) and
leaves a temporary directory holding a pickle cache; it is also slow to import (~0.5 s, it
parses its printer database), so it is imported on first use, never at kiosk start-up.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
from typing import Any

_import_lock = threading.Lock()


def escpos_installed() -> tuple[bool, str]:
    if importlib.util.find_spec("escpos") is None:
        return False, "python-escpos is not installed"
    return True, "python-escpos is installed"


@functools.cache
def escpos_module(name: str) -> Any:
    """``escpos.<name>`` (e.g. ``printer.network``): the root logger gets a stand-in handler
    for the import, and the pickle cache directory goes once the import is done."""
    with _import_lock:
        root = logging.getLogger()
        stand_in = None if root.handlers else logging.NullHandler()
        if stand_in is not None:
            root.addHandler(stand_in)
        try:
            module = importlib.import_module(f"escpos.{name}")
            capabilities = importlib.import_module("escpos.capabilities")
        finally:
            if stand_in is not None:
                root.removeHandler(stand_in)
        pickle_dir = str(getattr(capabilities, "pickle_dir", ""))
        own_dir = "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ
        if own_dir and pickle_dir.startswith(tempfile.gettempdir() + os.sep):
            shutil.rmtree(pickle_dir, ignore_errors=True)
    return module
