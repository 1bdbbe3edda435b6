"""Every technician action goes to the platform through the outbox (``technician_action``)."""

from __future__ import annotations

import datetime as dt
import logging

from kiosk.contract import TechnicianAction
from kiosk.diagnostics.context import Diagnostics
from kiosk.platform.outbox_items import enqueue
from offline_cache.outbox import OutboxError

log = logging.getLogger(__name__)


def record_action(diag: Diagnostics, action: str, detail: str = "") -> None:
    """Queue ``action`` (e.g. ``service_off``, ``test_print_receipt``) with a short detail
    (no personal data). Never fails the action itself: a full outbox is logged."""
    log.info("technician: %s %s", action, detail)
    if diag.outbox is None:
        log.warning("technician action %s not recorded: no outbox configured here", action)
        return
    payload = TechnicianAction(
        action=action,
        at=dt.datetime.now(dt.UTC),
        terminal_id=diag.terminal_id or None,
        detail=detail[:500],
    )
    try:
        enqueue(diag.outbox, payload)
    except OutboxError as error:
        log.error("technician action %s not recorded: %s", action, error)
