"""JSON-lines logs (``LOG_FORMAT=json``): one object per record, for log shippers.

Every line carries time (UTC, ISO 8601), level, logger and message, plus what
``inbox.context`` knows about the work in hand: ``request_id``, ``user_id``, ``ip`` in web
processes, ``job_id`` in a worker's jobs. Fields given with ``extra={...}`` are kept.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from inbox import context

# Attributes every LogRecord has; anything else came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        work = context.current()
        for name in ("request_id", "user_id", "ip", "job_id"):
            value = getattr(work, name)
            if value:
                entry[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry.setdefault(name, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
