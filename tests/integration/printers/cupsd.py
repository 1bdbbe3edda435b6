"""A private CUPS scheduler for tests: its own config, spool, logs and socket under /tmp.

Started as ``cupsd -f -c <dir>/cupsd.conf -s <dir>/cups-files.conf`` (root: cups-pdf and our
fault backend run as root), listening only on a Unix socket, with ``FileDevice Yes``. The
system's /etc/cups is not touched, except that cups-pdf reads its per-queue settings only
from ``/etc/cups/cups-pdf-<instance>.conf``: that one file is added and removed again.

ServerBin is a directory of links to /usr/lib/cups (filters, backends) plus ``kioskfault``,
a test backend that reports the printer-state-reason written in its control file (e.g.
``media-empty-error``) until the file says ``ok``, then prints the job into ``<control>.out``.
Like a real backend it first clears the reasons a killed backend left on the queue.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

CUPS_LIB = Path("/usr/lib/cups")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
CUPS_PDF_BACKEND = CUPS_LIB / "backend" / "cups-pdf"
CUPS_PDF_CONF_DIR = Path("/etc/cups")

FAULT_BACKEND = """#!/bin/sh
# kiosk test backend: report the printer-state-reason named in the control file. A -warning
# does not stop the job; anything else holds it until the control file says ok.
if [ $# -eq 0 ]; then echo 'direct kioskfault "Unknown" "kiosk test printer"'; exit 0; fi
control="${DEVICE_URI#kioskfault:}"
# Like CUPS's ipp backend, start from the reasons cupsd passes in and report what is true
# now: reasons an earlier, killed backend left on the queue are cleared.
case "$PRINTER_STATE_REASONS" in ""|none) ;; *) echo "STATE: -$PRINTER_STATE_REASONS" >&2 ;; esac
reported=""
while :; do
  fault=$(cat "$control" 2>/dev/null)
  case "$fault" in ""|ok) break ;; esac
  if [ "$fault" != "$reported" ]; then
    [ -n "$reported" ] && echo "STATE: -$reported" >&2
    echo "STATE: +$fault" >&2
    reported="$fault"
  fi
  case "$fault" in *-warning) break ;; esac
  sleep 0.05
done
case "$reported" in ""|*-warning) ;; *) echo "STATE: -$reported" >&2 ;; esac
cat "${6:--}" > "$control.out"
exit 0
"""


class Cupsd:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kc", dir="/tmp"))
        self.root.chmod(0o755)
        self.socket = self.root / "cups.sock"
        self.instance = f"kiosktest{os.getpid()}x{self.root.name}"
        self.pdf_conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{self.instance}.conf"
        self.pdf_out = self.root / "pdf-out"
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def _write_config(self) -> Path:
        etc = self.root / "etc"
        for sub in ("etc", "spool", "cache", "state", "log", "pdf-out", "pdf-spool"):
            (self.root / sub).mkdir(mode=0o755)
        (self.root / "spool" / "tmp").mkdir()
        (self.root / "spool" / "tmp").chmod(0o1777)
        server_bin = self.root / "bin"
        (server_bin / "backend").mkdir(parents=True, mode=0o755)
        for entry in CUPS_LIB.iterdir():
            if entry.name != "backend":
                (server_bin / entry.name).symlink_to(entry)
        for backend in (CUPS_LIB / "backend").iterdir():
            (server_bin / "backend" / backend.name).symlink_to(backend)
        fault = server_bin / "backend" / "kioskfault"
        fault.write_text(FAULT_BACKEND, encoding="ascii")
        fault.chmod(0o700)
        r = self.root
        (etc / "cups-files.conf").write_text(
            f"ServerRoot {etc}\nServerBin {server_bin}\nRequestRoot {r}/spool\n"
            f"CacheDir {r}/cache\nStateDir {r}/state\nTempDir {r}/spool/tmp\n"
            f"AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\n"
            f"PageLog {r}/log/page_log\nFileDevice Yes\nSystemGroup root\n",
            encoding="ascii",
        )
        (etc / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nBrowsing No\nJobRetryLimit 0\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n",
            encoding="ascii",
        )
        self.pdf_conf.write_text(
            f"Out {self.pdf_out}\nAnonDirName {self.pdf_out}\nSpool {r}/pdf-spool\n"
            f"Log {r}/log\nLogType 1\n",
            encoding="ascii",
        )
        return etc

    def start(self, timeout: float = 10.0) -> None:
        etc = self._write_config()
        self._stderr = (self.root / "log" / "cupsd.stderr").open("wb")
        self.process = subprocess.Popen(
            [
                "/usr/sbin/cupsd",
                "-f",
                "-c",
                str(etc / "cupsd.conf"),
                "-s",
                str(etc / "cups-files.conf"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self.error_log()[-2000:]}")
            ready = subprocess.run(["lpstat", "-r"], env=self.env, capture_output=True, text=True)
            if "scheduler is running" in ready.stdout and self.socket.exists():
                return
            time.sleep(0.02)
        raise RuntimeError("cupsd did not become ready")

    def run(self, *args: str) -> str:
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=20)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def add_pdf_queue(self, name: str) -> None:
        """An A4 queue printing through cups-pdf into ``pdf_out``."""
        self.run(
            "lpadmin", "-p", name, "-E", "-v", f"cups-pdf:/{self.instance}", "-P", str(CUPS_PDF_PPD)
        )

    def add_raw_queue(self, name: str, port: int) -> None:
        """A raw queue sending jobs unchanged to a TCP sink on loopback."""
        self.run("lpadmin", "-p", name, "-E", "-v", f"socket://127.0.0.1:{port}", "-m", "raw")

    def add_fault_queue(self, name: str, control: Path) -> None:
        """A raw queue on the ``kioskfault`` backend, steered by the ``control`` file."""
        control.write_text("ok", encoding="ascii")
        self.run("lpadmin", "-p", name, "-E", "-v", f"kioskfault:{control}", "-m", "raw")

    def error_log(self) -> str:
        log = self.root / "log" / "error_log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._stderr is not None:
            self._stderr.close()
        self.pdf_conf.unlink(missing_ok=True)
        shutil.rmtree(self.root, ignore_errors=True)
