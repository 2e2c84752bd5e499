"""CPU time an ingest benchmark spends, in this process and in its PostgreSQL backend.

Wall time on the shared 2-core machine swings with other programs' load; CPU time does not grow
while a process waits for a core, so it is the steadier figure to put beside a same-run
baseline. The backend's comes from ``/proc/<pid>/stat`` (PostgreSQL runs on this host).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _backend_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuMeter:
    """Started on Django's connection, which must stay open until :meth:`per_message`."""

    backend: int
    process_ms: float
    backend_ms: float

    @classmethod
    def start(cls) -> CpuMeter:
        from django.db import connection

        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        return cls(pid, time.process_time() * 1000, _backend_ms(pid))

    def per_message(self, count: int) -> tuple[float, float]:
        """Milliseconds of CPU per message since the start: this process's, the backend's."""
        process = time.process_time() * 1000 - self.process_ms
        backend = _backend_ms(self.backend) - self.backend_ms
        return round(process / count, 4), round(backend / count, 4)


def code_of_tree() -> str:
    """The commit the benchmark ran, and whether inbox/ differed from it (for A/B records)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "status", "--porcelain", "inbox"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    return head + (" (inbox/ changed)" if dirty else "")
