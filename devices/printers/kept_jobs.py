"""Print jobs kept through a printer fault: encrypted on disk, bounded, gone within 24 h.

ARCHITECTURE.md: "A print job that must survive a crash is stored encrypted with the terminal
key and deleted once printed or after 24 h". What each printer keeps, and where:

- **A4 (CUPS)**: a job interrupted by paper out, an open cover, a jam or the printer going
  offline is withdrawn from CUPS at once (cancelled and purged, so no plaintext copy stays in
  the CUPS spool) and kept here. The driver's ``print_kept_jobs`` hands each to CUPS again,
  whole (pages that came out before the fault come out twice: staff hand the set over or
  shred it), follows it like any job and deletes it here once CUPS says it printed; a job
  interrupted again stays kept. The kiosk calls it when no resident is at the kiosk: the
  pages are someone else's. Holding the job in CUPS instead (``job-hold-until=indefinite``)
  would leave the report as plaintext in the spool under CUPS's clock, not ours; cancelling
  and purging is the only way to have CUPS drop the file.
- **Receipts (ESC/POS)**: the kiosk keeps nothing. The job is sent in one piece; after a
  fault its rest sits in the printer's own buffer and prints when the paper is loaded. It is
  never resent, so there is no copy to encrypt or purge (a printer switched off loses it).
- **Simulated printers** fail a job before it starts: nothing is kept.

One file per job, ``<id>.kept``, written atomically with mode 0600 in a 0700 directory:
``MAGIC | kept_at (float, big endian) | nonce | AES-256-GCM(title NUL pdf) | tag``. The
header and the file name are authenticated with the ciphertext, so a file cannot be renamed
or its age changed. The cipher is ``cryptography``'s AESGCM. The key is
HMAC-SHA256(terminal secret, ``KEY_LABEL``): a new terminal secret makes old files
unreadable, and ``tidy`` deletes them.

Bounded: at most ``limit`` jobs (the oldest is dropped, unprinted, to make room, and the
caller says so to the technician), each at most ``max_age_s`` old (checked on every use and
by ``tidy``, which the driver runs when it opens: a job left by a crash survives a restart
within its 24 h, then goes). A clock set far back or forward expires a job too rather than
keeping it forever. Use from the printer's own worker thread only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

KEY_LABEL = b"taihaoban-kiosk kept print jobs v1"
MAGIC = b"KPJ1"
_HEADER = struct.Struct(">4sd")
SUFFIX = ".kept"
NONCE_BYTES = 12
KEEP_AT_MOST = 10
KEEP_FOR_S = 24 * 3600.0


class SealBroken(ValueError):
    """The file, its header or the key does not match: refuse the data."""


@dataclass(frozen=True)
class KeptJob:
    id: str
    kept_at: float
    """Wall-clock seconds (``time.time``) when the job was first kept."""

    def age_s(self, now: float) -> float:
        return now - self.kept_at


class KeptJobStore:
    """The kept print jobs of one printer, in ``directory``, sealed with the terminal secret."""

    def __init__(
        self,
        directory: Path,
        terminal_secret: bytes,
        *,
        limit: int = KEEP_AT_MOST,
        max_age_s: float = KEEP_FOR_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.limit = limit
        self.max_age_s = max_age_s
        self.clock = clock
        self._key = hmac.new(terminal_secret, KEY_LABEL, hashlib.sha256).digest()

    def _path(self, job_id: str) -> Path:
        return self.directory / f"{job_id}{SUFFIX}"

    def _expired(self, job: KeptJob) -> bool:
        return abs(job.age_s(self.clock())) > self.max_age_s

    def keep(self, pdf: bytes, title: str) -> tuple[KeptJob, list[KeptJob]]:
        """Seal and store a job. Returns it and the jobs dropped unprinted to stay within
        ``limit`` (oldest first). Raises OSError when it cannot be written."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        kept = self.jobs()
        dropped = kept[: max(0, len(kept) - self.limit + 1)]
        for old in dropped:
            self.drop(old)
        job = KeptJob(secrets.token_hex(4), self.clock())
        header = _HEADER.pack(MAGIC, job.kept_at)
        nonce = secrets.token_bytes(NONCE_BYTES)
        plaintext = title.encode() + b"\0" + pdf
        sealed = AESGCM(self._key).encrypt(nonce, plaintext, header + job.id.encode())
        staged = self.directory / f".{job.id}.tmp"
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(header + nonce + sealed)
            out.flush()
            os.fsync(out.fileno())
        staged.replace(self._path(job.id))
        return job, dropped

    def jobs(self) -> list[KeptJob]:
        """The kept jobs, oldest first; expired ones are deleted on the way."""
        found = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            job = self._read_header(path)
            if job is None:
                continue
            if self._expired(job):
                log.warning("kept print job %s expired unprinted and was deleted", job.id)
                self.drop(job)
                continue
            found.append(job)
        return sorted(found, key=lambda job: job.kept_at)

    def _read_header(self, path: Path) -> KeptJob | None:
        try:
            with path.open("rb") as file:
                magic, kept_at = _HEADER.unpack(file.read(_HEADER.size))
        except (OSError, struct.error):
            return None
        return KeptJob(path.name.removesuffix(SUFFIX), kept_at) if magic == MAGIC else None

    def load(self, job: KeptJob) -> tuple[bytes, str]:
        """The job's PDF and title. Raises SealBroken (altered, or sealed under another
        terminal secret) or OSError."""
        data = self._path(job.id).read_bytes()
        header = _HEADER.pack(MAGIC, job.kept_at)
        if not data.startswith(header):
            raise SealBroken("the kept job's header does not match")
        nonce_end = _HEADER.size + NONCE_BYTES
        try:
            plaintext = AESGCM(self._key).decrypt(
                data[_HEADER.size : nonce_end], data[nonce_end:], header + job.id.encode()
            )
        except InvalidTag as error:
            raise SealBroken("altered, or sealed under another terminal secret") from error
        title, _, pdf = plaintext.partition(b"\0")
        return pdf, title.decode()

    def drop(self, job: KeptJob) -> None:
        self._path(job.id).unlink(missing_ok=True)

    def tidy(self) -> list[KeptJob]:
        """At start-up: delete half-written files, unreadable and expired jobs. Returns the
        jobs left (oldest first)."""
        if not self.directory.exists():
            return []
        for staged in self.directory.glob(".*.tmp"):
            staged.unlink(missing_ok=True)
        for path in self.directory.glob(f"*{SUFFIX}"):
            if self._read_header(path) is None:
                log.warning("kept print job file %s is not one: deleted", path.name)
                path.unlink(missing_ok=True)
        left = []
        for job in self.jobs():
            try:
                self.load(job)
            except (SealBroken, OSError):
                log.warning(
                    "kept print job %s cannot be read with this terminal's key: deleted", job.id
                )
                self.drop(job)
            else:
                left.append(job)
        return left


def describe_kept(jobs: list[KeptJob], now: float) -> str:
    """``"3f2a9c1e (kept 95 min ago), …"`` for health details and the technician."""
    return ", ".join(f"{job.id} (kept {job.age_s(now) / 60:.0f} min ago)" for job in jobs)
