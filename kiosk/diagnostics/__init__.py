"""Technician diagnostics: the checks behind the technician screens and ``taihaoban-kiosk diag``.

No Qt here. A check is plain data (``checks.Check``: area, name, status, Chinese summary,
detail, hint, facts). ``run.run_checks(diag, level, ask)`` runs every area's checks; each
area's checks and actions live in one module: ``device_checks`` (driver, sensors, health
at INTERNAL / EXTERNAL / INTERACTIVE, last fault, counters; the test prints and the card
read test), ``kept_jobs``, ``platform_checks``, ``outbox_checks``, ``terminal_checks``
(service switch, cached content, disk, version, log). ``context.Diagnostics`` is what they
look at: built by ``in_kiosk.diagnostics_for(runtime, log_file)`` for the touch UI (devices
through the terminal's own threads) and by ``command`` for the CLI (devices opened by the
command itself). Every action is recorded through the outbox (``actions.record_action``).
"""
