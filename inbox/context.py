"""What is known about the work being done now: the request (id, client address, user) or the
job (id). Read by the audit log and the log formatter, set by web/ops/request_context.py and the
worker.

A context variable, not a thread-local: it follows a request through asgiref's hops between
the event loop and sync threads.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class WorkContext:
    request_id: str = ""
    ip: str | None = None
    user_id: int | None = None
    job_id: str = ""


_EMPTY = WorkContext()
_current: contextvars.ContextVar[WorkContext] = contextvars.ContextVar("svar_work_context")


def current() -> WorkContext:
    return _current.get(_EMPTY)


@contextmanager
def bound(**values: object) -> Iterator[WorkContext]:
    """Add ``values`` to the current context for the duration of the block."""
    context = replace(current(), **values)  # type: ignore[arg-type]
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def update(**values: object) -> None:
    """Add ``values`` until the enclosing :func:`bound` block ends."""
    _current.set(replace(current(), **values))  # type: ignore[arg-type]
