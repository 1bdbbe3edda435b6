"""Each driver's options model checks its values when built and names the bad option.

Types, unknown keys and required keys are the kiosk's strict conversion
(tests/unit/kiosk/test_config.py); what is checked here holds for options built in code too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.idcard.pcsc import PcscOptions, PcscReader
from devices.idcard.photo import PlaceholderDecoder
from devices.idcard.sdtapi import SdtapiOptions, SdtapiReader
from devices.idcard.simulated import SimulatedReader, SimulatedReaderOptions
from devices.printers.cups import CupsDocumentPrinter, CupsOptions
from devices.printers.kept_jobs import KeptJobStore
from devices.registry import load_reader


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PcscOptions(reader="Virtual (PCD"), "reader: not a regular expression"),
        (lambda: PcscOptions(profile="no-such-reader"), "profile: .*no such profile"),
        (lambda: PcscOptions(profile="/nonexistent/reader.json"), "profile: .*cannot read"),
        (lambda: PcscOptions(retry_s=0), "retry_s: must be more than 0"),
        (lambda: PcscOptions(retry_s=float("nan")), "retry_s: must be more than 0"),
        (lambda: SdtapiOptions(library=""), "library: the vendor library path is required"),
        (lambda: SdtapiOptions(library="/x.so", port=0), "port: must be 1-16"),
        (lambda: SdtapiOptions(library="/x.so", port=1017), "port: must be 1-16"),
        (lambda: SdtapiOptions(library="/x.so", poll_interval_s=-1), "poll_interval_s"),
        (lambda: SimulatedReaderOptions(read_delay_s=-0.5), "read_delay_s: must be 0 or more"),
        (lambda: SimulatedReaderOptions(faults=("late_read",)), "faults: fault entry"),
        (lambda: CupsOptions(queue=""), "queue: must be a plain queue name"),
        (lambda: CupsOptions(queue="a4/x"), "queue: must be a plain queue name"),
        (lambda: CupsOptions(queue="a4", ipp_timeout_s=-5), "ipp_timeout_s: must be more"),
    ],
)
def test_bad_values_are_refused_naming_the_option(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize("port", [1, 16, 1001, 1016])
def test_sdtapi_ports_of_both_kinds_are_accepted(port: int) -> None:
    reader = SdtapiReader.from_options(SdtapiOptions(library="/opt/libsdtapi.so", port=port))
    assert reader.port == port and reader.library_path == "/opt/libsdtapi.so"


def test_sdtapi_reader_is_built_from_its_options_through_the_registry() -> None:
    options = SdtapiOptions(library="/opt/libsdtapi.so", port=3, poll_interval_s=0.05)
    reader = load_reader("sdtapi", options)
    assert isinstance(reader, SdtapiReader)
    assert (reader.port, reader.poll_interval_s) == (3, 0.05)
    assert isinstance(reader.photo_decoder, PlaceholderDecoder)


def test_pcsc_reader_is_built_from_its_options() -> None:
    options = PcscOptions(reader="Virtual PCD 00 0[01]", retry_s=0.1)
    reader = PcscReader.from_options(options)
    assert reader.reader_pattern == "Virtual PCD 00 0[01]"
    assert reader.profile.name == "generic-sam-ccid"
    assert reader.retry_s == 0.1
    assert isinstance(reader.photo_decoder, PlaceholderDecoder)


def test_simulated_reader_and_cups_printer_take_their_options(tmp_path: Path) -> None:
    reader = SimulatedReader.from_options(SimulatedReaderOptions(read_delay_s=0))
    assert reader.read_delay_s == 0
    printer = CupsDocumentPrinter.from_options(
        CupsOptions(queue="kiosk-a4", poll_s=0.1, job_options={"media": "iso_a4_210x297mm"}),
        KeptJobStore(tmp_path, b"secret"),
    )
    assert (printer.queue, printer.poll_s) == ("kiosk-a4", 0.1)
    assert printer.job_options == {"media": "iso_a4_210x297mm"}


def test_every_option_has_a_docstring() -> None:
    sources = [
        Path(__file__).parents[3] / "devices" / path
        for path in (
            "idcard/pcsc.py",
            "idcard/sdtapi.py",
            "idcard/simulated.py",
            "printers/cups.py",
            "printers/escpos.py",
            "printers/simulated.py",
        )
    ]
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        models = [node for node in classes if node.name.endswith("Options")]
        assert models, source
        for model in models:
            body = model.body
            for i, node in enumerate(body):
                if isinstance(node, ast.AnnAssign):
                    following = body[i + 1] if i + 1 < len(body) else None
                    documented = isinstance(following, ast.Expr) and isinstance(
                        following.value, ast.Constant
                    )
                    assert documented, f"{model.name}.{ast.unparse(node.target)} has no docstring"
