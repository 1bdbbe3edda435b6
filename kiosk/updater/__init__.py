"""The terminal's updater: signed releases from a TUF repository, installed side by side
under ``/opt/taihaoban-kiosk/releases/`` and switched to atomically, committed only once the
new release has proved healthy, switched back otherwise.

Modules: ``settings`` are in ``kiosk.config`` (``UpdaterSettings``); ``state`` (the state
file), ``releases`` (the on-disk release tree: build, switch, prune), ``repository`` (the TUF
client: what to install and its wheels), ``session_lock`` (no install during a resident's
session), ``updater`` (one poll, rollback, status), ``commit`` (the running kiosk's side).
"""
