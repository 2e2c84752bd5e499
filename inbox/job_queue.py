"""RQ queues made once per process, not once per use.

``django_rq.get_queue`` builds a new Redis client, with its own connection pool, at each call:
a new TCP connection per enqueue, and RQ asks the new connection for the server's version
before its first job. Ingest queues media fetches after every poll's commit, so it takes its
queue from here (docs/performance.md, "Ingest with automation rules and media").
"""

from __future__ import annotations

import os
import threading

import django_rq
from django.conf import settings
from rq import Queue

_queues: dict[tuple[str, int, str], Queue] = {}
_lock = threading.Lock()


def job_queue(name: str) -> Queue:
    """The queue ``name`` of ``RQ_QUEUES``, shared by this process's callers. A forked process
    (an RQ work-horse) or a changed configuration gets a queue of its own."""
    key = (name, os.getpid(), repr(sorted(settings.RQ_QUEUES[name].items())))
    queue = _queues.get(key)
    if queue is None:
        with _lock:
            queue = _queues.setdefault(key, django_rq.get_queue(name))
    return queue
