"""A private pcscd for tests and benchmarks, beside whatever pcscd the machine runs.

pcscd's socket and PID file are compiled in (/run/pcscd/) and it ignores
``PCSCLITE_CSOCK_NAME``, so ours runs in a mount namespace of its own (``unshare -m``, root)
where /run is ``workdir/run`` and /usr/lib/pcsc/drivers holds only vpcd (it never claims a
real USB reader). Its clients find it through ``PCSCLITE_CSOCK_NAME``, which libpcsclite
(hence pyscard) reads once per process, at the first ``SCardEstablishContext``: a ``Pcscd``
sets it in ``os.environ`` when made, before that, so a process can use only one of them.

It serves exactly vpcd's two readers (``Virtual PCD 00 00`` on TCP ``port``, ``Virtual PCD
00 01`` on ``port + 1``, a free pair picked per daemon), or none at all
(``start(readers=False)``: a reader unplugged). pcscd 1.9.9 on Debian 12 is built without
polkit: no flag is needed for that. It is stopped by PID, and dies with the thread that
started it. Nothing outside ``workdir`` is touched and no other pcscd is asked or stopped.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DRIVERS = Path("/usr/lib/pcsc/drivers")
VPCD_DRIVER = DRIVERS / "serial/libifdvpcd.so"
READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
SOCKET_VARIABLE = "PCSCLITE_CSOCK_NAME"
TOOLS = ("pcscd", "unshare", "setpriv", "mount")
# In the new namespace: our directories over /run and the drivers, then pcscd itself.
# (mount -n: without it libmount creates the machine's /run/mount for its table.)
NAMESPACE_SCRIPT = (
    f'mount -n --bind "$1" /run && mount -n --bind "$2" {DRIVERS} && shift 2 && exec pcscd "$@"'
)


class PcscdUnavailable(RuntimeError):
    """A private pcscd cannot be started here; the message says why."""


def free_port_pair() -> int:
    """A port that is free together with the next one (vpcd listens on all addresses).

    Picked below Linux's ephemeral range (32768+) so that no outgoing connection takes it
    while pcscd is down for a restart, at random so that two suites at once differ."""
    while True:
        port = random.SystemRandom().randrange(20000, 32000, 2)
        try:
            with socket.create_server(("", port)), socket.create_server(("", port + 1)):
                return port
        except OSError:
            continue


class Pcscd:
    def __init__(self, workdir: Path, log_apdus: bool = True) -> None:
        self.log_path = workdir / "pcscd.log"
        self.socket = workdir / "run/pcscd/pcscd.comm"
        self._check_can_start()
        self._point_clients_here()
        self.port = free_port_pair()
        self._run = workdir / "run"
        self._drivers = workdir / "drivers"
        self._with_readers = workdir / "reader.conf.d"
        self._without_readers = workdir / "reader.conf.d-empty"
        vpcd_copy = self._drivers / VPCD_DRIVER.relative_to(DRIVERS)
        folders = (self.socket.parent, vpcd_copy.parent, self._with_readers, self._without_readers)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(VPCD_DRIVER, vpcd_copy)
        (self._with_readers / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{self.port:04X}\n",
            encoding="ascii",
        )
        self._flags = ["-f", "-i", *(["-a"] if log_apdus else [])]
        self.process: subprocess.Popen[bytes] | None = None
        self._serving_readers = True

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, readers: bool = True, timeout: float = 10.0) -> None:
        """Start (or keep) our pcscd serving vpcd's readers, or none."""
        if self.running and self._serving_readers == readers:
            return
        self.stop()
        config = self._with_readers if readers else self._without_readers
        self._serving_readers = readers
        # --pdeathsig: pcscd dies with the thread that started it, even on a crash.
        in_namespace = ["setpriv", "--pdeathsig", "TERM", "unshare", "--mount", "sh", "-c"]
        script_args = ["private-pcscd", str(self._run), str(self._drivers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*in_namespace, NAMESPACE_SCRIPT, *script_args, *self._flags, "-c", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_ready(READERS if readers else (), time.monotonic() + timeout)

    def _check_can_start(self) -> None:
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            raise PcscdUnavailable(
                f"missing system tools: {', '.join(missing)} (make test installs them)"
            )
        if not VPCD_DRIVER.exists():
            raise PcscdUnavailable(f"vpcd driver missing: {VPCD_DRIVER} (vsmartcard-vpcd)")
        if importlib.util.find_spec("smartcard") is None:
            raise PcscdUnavailable("pyscard is not installed (uv sync --all-extras)")
        if os.geteuid() != 0:
            raise PcscdUnavailable(
                "a private pcscd needs root: it mounts its own /run in a mount namespace"
            )
        if len(os.fsencode(self.socket)) >= 108:  # sockaddr_un.sun_path
            raise PcscdUnavailable(f"socket path too long for a Unix socket: {self.socket}")

    def _point_clients_here(self) -> None:
        if os.environ.get(SOCKET_VARIABLE) == str(self.socket):
            return
        if "smartcard.scard" in sys.modules:
            raise PcscdUnavailable(
                f"pyscard was loaded before {SOCKET_VARIABLE} named this pcscd: libpcsclite "
                "reads it only once per process, and may already talk to another pcscd"
            )
        os.environ[SOCKET_VARIABLE] = str(self.socket)

    def _wait_ready(self, readers: tuple[str, ...], deadline: float) -> None:
        from smartcard import scard

        process = self.process
        assert process is not None
        while True:
            if process.poll() is not None:
                raise PcscdUnavailable(
                    f"private pcscd exited ({process.returncode}): {self._last_log_line()}"
                )
            rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if rc == scard.SCARD_S_SUCCESS:
                _, names = scard.SCardListReaders(context, [])
                scard.SCardReleaseContext(context)
                if set(readers) <= set(names or []):
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise PcscdUnavailable(f"private pcscd not ready in time; see {self.log_path}")
            time.sleep(0.02)

    def _last_log_line(self) -> str:
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[-1] if lines else "no output"

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def restart(self, readers: bool = True, sig: signal.Signals = signal.SIGTERM) -> None:
        self.stop(sig)
        self.start(readers=readers)
