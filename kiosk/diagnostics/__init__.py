"""Technician diagnostics: the checks behind the technician screens and ``taihaoban-kiosk diag``.

No Qt here. A check is plain data (``checks.Check``); ``run.run_checks`` runs every area's
checks, the area modules (``device_checks``, ``kept_jobs``, ``platform_checks``,
``outbox_checks``, ``terminal_checks``) hold each area's checks and actions, and
``context.Diagnostics`` is what they look at. Devices are reached through
``device_access.DeviceAccess`` (on each device's own thread). Every action is recorded
through the outbox (``actions.record_action``).
"""
