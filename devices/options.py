"""Checks for the drivers' option models, run when an options object is built.

Each driver declares its options as a frozen dataclass (``options_type`` on the driver class);
the kiosk converts the TOML table into it strictly (types, unknown keys), and the model's
``__post_init__`` checks values with these helpers. Every error message starts with the
option's name, so the configuration error names the key.
"""

from __future__ import annotations

from devices.faults import FaultScript


def require_positive(options: object, *names: str) -> None:
    for name in names:
        value = getattr(options, name)
        if not value > 0:
            raise ValueError(f"{name}: must be more than 0, got {value!r}")


def require_not_negative(options: object, *names: str) -> None:
    for name in names:
        value = getattr(options, name)
        if not value >= 0:
            raise ValueError(f"{name}: must be 0 or more, got {value!r}")


def require_fault_script(faults: tuple[str, ...]) -> None:
    """The ``faults`` option: every entry a scripted fault (``devices.faults``)."""
    try:
        FaultScript(list(faults))
    except ValueError as error:
        raise option_error("faults", error) from None


def option_error(name: str, problem: object) -> ValueError:
    """What is wrong with option ``name`` (a message, or the error checking it raised)."""
    return ValueError(f"{name}: {problem}")
