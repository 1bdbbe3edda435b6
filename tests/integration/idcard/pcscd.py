"""A pcscd of our own for tests and benchmarks: foreground, vpcd readers only, stopped by PID.

``pcscd -f -c DIR`` reads reader definitions from ``DIR`` instead of /etc/reader.conf.d, so
the daemon serves exactly vpcd's two readers (``Virtual PCD 00 00`` on TCP ``port``,
``Virtual PCD 00 01`` on ``port + 1``), or none at all (``start(readers=False)``: a reader
unplugged). pcscd 1.9.9 on Debian 12 is built without polkit: no flag is needed for that.
There is one pcscd per machine (its socket is /run/pcscd/pcscd.comm): if another one runs,
``start`` refuses rather than touch it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
PID_FILE = Path("/run/pcscd/pcscd.pid")
READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")


class PcscdUnavailable(RuntimeError):
    """pcscd cannot be started here (missing, or another pcscd runs)."""


def other_pcscd() -> int | None:
    """The PID of a pcscd that is running and is not ours, if any."""
    try:
        pid = int(PID_FILE.read_text(encoding="ascii").strip("\x00\n "))
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


class Pcscd:
    def __init__(self, workdir: Path, port: int = 35963, log_apdus: bool = True) -> None:
        self.port = port
        self.log_path = workdir / "pcscd.log"
        self._with_readers = workdir / "reader.conf.d"
        self._without_readers = workdir / "reader.conf.d-empty"
        self._with_readers.mkdir(parents=True, exist_ok=True)
        self._without_readers.mkdir(parents=True, exist_ok=True)
        (self._with_readers / "vpcd").write_text(
            f'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{port:04X}\n",
            encoding="ascii",
        )
        self._flags = ["-f", "-i", *(["-a"] if log_apdus else [])]
        self.process: subprocess.Popen[bytes] | None = None
        self._serving_readers = True

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, readers: bool = True, timeout: float = 10.0) -> None:
        """Start (or keep) a pcscd serving vpcd's readers, or none."""
        if self.running and self._serving_readers == readers:
            return
        self.stop()
        if not VPCD_DRIVER.exists():
            raise PcscdUnavailable(f"vpcd driver missing: {VPCD_DRIVER} (vsmartcard-vpcd)")
        deadline = time.monotonic() + timeout
        while (pid := other_pcscd()) is not None:
            if time.monotonic() > deadline:
                raise PcscdUnavailable(f"another pcscd (pid {pid}) is running; stop it first")
            time.sleep(0.05)
        config = self._with_readers if readers else self._without_readers
        self._serving_readers = readers
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["pcscd", *self._flags, "-c", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self._wait_ready(READERS if readers else (), deadline)

    def _wait_ready(self, readers: tuple[str, ...], deadline: float) -> None:
        from smartcard import scard

        while True:
            if not self.running:
                raise PcscdUnavailable(f"pcscd exited; see {self.log_path}")
            rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if rc == scard.SCARD_S_SUCCESS:
                _, names = scard.SCardListReaders(context, [])
                scard.SCardReleaseContext(context)
                if set(readers) <= set(names or []):
                    return
            if time.monotonic() > deadline:
                self.stop()
                raise PcscdUnavailable(f"pcscd not ready in time; see {self.log_path}")
            time.sleep(0.02)

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
