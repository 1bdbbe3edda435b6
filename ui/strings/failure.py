"""What happened and what to do, for each way a session can fail (``kiosk.failures``)."""

from kiosk.failures import describe as entry_for
from kiosk.session import Failure


def describe(failure: Failure) -> tuple[str, str]:
    """(what happened, what to do) for one failure."""
    entry = entry_for(failure)
    return entry.title, f"{entry.explanation}{entry.todo}"
